import { expect, test } from "bun:test";
import { toAnthropicMessages } from "../../src/providers/anthropic/request.ts";
import { toGeminiContents } from "../../src/providers/gemini/request.ts";
import type { Message } from "../../src/spec/model.ts";

const history: Message[] = [
  { role: "user", content: "go" },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "a", name: "sh", arguments: '{"command":"ls"}' },
      { id: "b", name: "sh", arguments: "{'command': 'pwd',}" },
      { id: "c", name: "sh", arguments: "}{" },
      { id: "d", name: "sh", arguments: "[1, 2]" },
      { id: "e", name: "sh", arguments: "" },
    ],
  },
];

const expected = [
  { command: "ls" },
  { command: "pwd" },
  { _raw_arguments: "}{" },
  { _raw_arguments: "[1, 2]" },
  {},
];

test("Gemini functionCall.args hold what the model sent, never a silent {} (issue 12 item 18)", () => {
  const parts = toGeminiContents(history)[1]?.parts ?? [];
  expect(parts.map((part) => (part["functionCall"] as { args: unknown }).args)).toEqual(expected);
});

test("Anthropic tool_use.input holds what the model sent, never a silent {} (issue 12 item 18)", () => {
  const blocks = toAnthropicMessages(history)[1]?.content ?? [];
  expect(blocks.map((block) => block["input"])).toEqual(expected);
});

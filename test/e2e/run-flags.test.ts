import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type MockProvider,
  type MockRequest,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

/** Issue 15: -a/--agent and the typo guard, --continue, -C, --json, prompt and tool flags, batch. */

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

function config(baseUrl: string): string {
  return `
[defaults]
agent = "demo"
model = "mock/m"

${mockProviderToml(baseUrl)}
[tools.sh]
kind = "shell"
env = ["PATH"]

[tools.files]
kind = "file"
root = "."

[tools.web]
kind = "http"

[agents.demo]
instructions = "You are the demo agent."
tools = ["sh", "files", "web", "agent:helper"]
mode = "auto"

[agents.helper]
description = "helps"
instructions = "You are the helper."
tools = ["sh", "files"]
mode = "auto"

[agents.reviewer]
instructions = "You review."
`;
}

async function setup(
  turns: MockTurn[] | ((request: MockRequest, index: number) => MockTurn) = () => ({ text: "ok" }),
) {
  mock = await startMockProvider({ turns });
  ws = makeWorkspace(config(mock.baseUrls.openai));
  return { mock, ws };
}

function agentry(args: string[], options: { cwd?: string; stdin?: string } = {}) {
  if (!ws) throw new Error("no workspace");
  return runBinary(args, {
    cwd: options.cwd ?? ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, HOME: ws.dir },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

type Body = {
  messages: { role: string; content: unknown }[];
  tools?: { function: { name: string } }[];
};
const body = (index: number) => mock?.requests[index]?.body as Body;
const toolNames = (index: number) => (body(index).tools ?? []).map((tool) => tool.function.name).sort();
const systemOf = (index: number) =>
  body(index).messages.find((message) => message.role === "system")?.content;
const userTexts = (index: number) =>
  body(index)
    .messages.filter((message) => message.role === "user")
    .map((message) => message.content);

describe("target vs prompt", () => {
  test("a first word within two edits of an agent is exit 2 with a did-you-mean, before any model call", async () => {
    await setup();
    const result = await agentry(["run", "demoo", "hello"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"demoo" is not an agent or flow; did you mean "demo"?');
    expect(result.stderr).toContain("agentry run -- demoo");
    expect(result.stderr).toContain("-a demo demoo");
    expect(mock?.requests).toHaveLength(0);
    const flowTypo = await agentry(["run", "reviewr", "this"]);
    expect(flowTypo.code).toBe(2);
    expect(flowTypo.stderr).toContain('did you mean "reviewer"?');
  });

  test("-a NAME makes every word prompt text; after -- the words are prompt text for the default agent", async () => {
    await setup([{ text: "a" }, { text: "b" }, { text: "c" }]);
    const named = await agentry(["run", "-a", "reviewer", "demoo", "hello", "--output", "ndjson"]);
    expect(named.code).toBe(0);
    expect(parseNdjson(named.stdout)[0]?.["agent"]).toBe("reviewer");
    expect(userTexts(0)).toEqual(["demoo hello"]);
    const literal = await agentry(["run", "--output", "ndjson", "--", "demoo", "hello"]);
    expect(literal.code).toBe(0);
    expect(parseNdjson(literal.stdout)[0]?.["agent"]).toBe("demo");
    expect(userTexts(1)).toEqual(["demoo hello"]);
    const farWord = await agentry(["run", "summarise", "the", "logs"]);
    expect(farWord.code).toBe(0);
    expect(userTexts(2)).toEqual(["summarise the logs"]);
  });

  test("-a naming no agent is exit 2 with a suggestion", async () => {
    await setup();
    const result = await agentry(["run", "--agent", "helpr", "hi"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown agent or flow "helpr"; did you mean "helper"?');
    expect(mock?.requests).toHaveLength(0);
  });
});

describe("--continue and -C", () => {
  test("--continue sends the directory's last conversation and continues its agent", async () => {
    await setup((_request, index) => ({ text: `answer-${index}` }));
    const first = await agentry(["run", "reviewer", "remember the word PELICAN"]);
    expect(first.code).toBe(0);
    const second = await agentry(["run", "--continue", "which word?", "--output", "ndjson"]);
    expect(second.code).toBe(0);
    expect(parseNdjson(second.stdout)[0]?.["agent"]).toBe("reviewer");
    expect(userTexts(1)).toEqual(["remember the word PELICAN", "which word?"]);
    expect(JSON.stringify(body(1).messages)).toContain("answer-0");
    const third = await agentry(["run", "--continue", "and again"]);
    expect(third.code).toBe(0);
    expect(userTexts(2)).toEqual(["remember the word PELICAN", "which word?", "and again"]);
  });

  test("a fresh run starts a new conversation; --continue elsewhere or with --session is exit 2", async () => {
    await setup();
    expect((await agentry(["run", "one"])).code).toBe(0);
    expect((await agentry(["run", "two"])).code).toBe(0);
    expect((await agentry(["run", "--continue", "three"])).code).toBe(0);
    expect(userTexts(2)).toEqual(["two", "three"]);
    const other = join(ws?.dir as string, "other");
    mkdirSync(other);
    const nothing = await agentry(["run", "-c", ws?.configPath as string, "--continue", "x"], { cwd: other });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("no conversation to continue");
    const both = await agentry(["run", "--continue", "--session", "s1", "x"]);
    expect(both.code).toBe(2);
    expect(mock?.requests).toHaveLength(3);
  });

  test("a named --session becomes the directory's last one, and --ephemeral leaves no conversation", async () => {
    await setup();
    expect((await agentry(["run", "--session", "work", "alpha"])).code).toBe(0);
    expect((await agentry(["run", "--ephemeral", "unrelated"])).code).toBe(0);
    expect((await agentry(["run", "--continue", "beta"])).code).toBe(0);
    expect(userTexts(2)).toEqual(["alpha", "beta"]);
  });

  test("-C DIR runs as if started there: its agentry.toml, its files, its --continue", async () => {
    await setup();
    const elsewhere = join(ws?.dir as string, "elsewhere");
    mkdirSync(elsewhere);
    const first = await agentry(["run", "-C", ws?.dir as string, "from elsewhere"], { cwd: elsewhere });
    expect(first.code).toBe(0);
    const again = await agentry(["run", "--cd", ws?.dir as string, "--continue", "again"], {
      cwd: elsewhere,
    });
    expect(again.code).toBe(0);
    expect(userTexts(1)).toEqual(["from elsewhere", "again"]);
    const missing = await agentry(["run", "-C", join(ws?.dir as string, "nope"), "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("directory not found");
  });
});

describe("output, prompt and budget flags", () => {
  test("--json prints exactly the run_end object; with another --output it is exit 2", async () => {
    await setup();
    const result = await agentry(["run", "--json", "hi"]);
    expect(result.code).toBe(0);
    const end = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(end["type"]).toBe("run_end");
    expect(end["answer"]).toBe("ok");
    const clash = await agentry(["run", "--json", "--output", "ndjson", "hi"]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain("--json and --output ndjson cannot be combined");
  });

  test("--system-prompt replaces and --append-system-prompt extends the top agent's instructions only", async () => {
    await setup([
      { toolCalls: [{ id: "h", name: "agent_helper", arguments: { task: "help" } }] },
      { text: "helped" },
      { text: "done" },
      { text: "second" },
    ]);
    const replaced = await agentry(["run", "--system-prompt", "Talk like a pirate.", "go"]);
    expect(replaced.code).toBe(0);
    expect(systemOf(0)).toBe("Talk like a pirate.");
    expect(systemOf(1)).toBe("You are the helper.");
    const appended = await agentry(["run", "--append-system-prompt", "Be brief.", "go"]);
    expect(appended.code).toBe(0);
    expect(systemOf(3)).toBe("You are the demo agent.\n\nBe brief.");
  });

  test("--max-budget-usd is --budget-usd; disagreeing values are exit 2", async () => {
    await setup();
    const result = await agentry(["run", "--max-budget-usd", "0.5", "--output", "ndjson", "hi"]);
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout)[0]?.["budget"]).toEqual({ usd: 0.5 });
    const clash = await agentry(["run", "--max-budget-usd", "0.5", "--budget-usd", "1", "hi"]);
    expect(clash.code).toBe(2);
  });
});

describe("--allowed-tools / --disallowed-tools only narrow", () => {
  test("--disallowed-tools removes a tool from the agent and its sub-agents; a call to it runs nothing", async () => {
    await setup([
      { toolCalls: [{ id: "h", name: "agent_helper", arguments: { task: "make a file" } }] },
      { toolCalls: [{ id: "x", name: "sh", arguments: { command: "touch sub-made" } }] },
      { text: "sub done" },
      { toolCalls: [{ id: "y", name: "sh", arguments: { command: "touch top-made" } }] },
      { text: "done" },
    ]);
    const result = await agentry(["run", "--disallowed-tools", "sh", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    expect(toolNames(0)).toEqual(["agent_helper", "files", "web"]);
    expect(toolNames(1)).toEqual(["files"]);
    expect(existsSync(join(ws?.dir as string, "sub-made"))).toBe(false);
    expect(existsSync(join(ws?.dir as string, "top-made"))).toBe(false);
    const results = parseNdjson(result.stdout).filter((event) => event["type"] === "tool_result");
    expect(results.filter((event) => event["name"] === "sh").every((event) => event["ok"] === false)).toBe(
      true,
    );
  });

  test("--allowed-tools keeps only matching tools (globs, comma lists), never adds one the agent lacks", async () => {
    await setup([{ text: "a" }, { text: "b" }, { text: "c" }]);
    expect((await agentry(["run", "--allowed-tools", "files,agent_*", "go"])).code).toBe(0);
    expect(toolNames(0)).toEqual(["agent_helper", "files"]);
    expect((await agentry(["run", "-a", "reviewer", "--allowed-tools", "*", "go"])).code).toBe(0);
    expect(toolNames(1)).toEqual([]);
    expect(
      (
        await agentry([
          "run",
          "--allowed-tools",
          "sh",
          "--allowed-tools",
          "web",
          "--disallowed-tools",
          "SH",
          "go",
        ])
      ).code,
    ).toBe(0);
    expect(toolNames(2)).toEqual(["web"]);
  });

  test("a pattern with other wildcards than * is exit 2, not a pattern that silently matches nothing", async () => {
    await setup();
    const result = await agentry(["run", "--disallowed-tools", "s?", "go"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--disallowed-tools: invalid pattern "s?"');
    expect(mock?.requests).toHaveLength(0);
  });
});

describe("batch rejects options it would ignore", () => {
  test("--output and --session are exit 2 saying why", async () => {
    await setup();
    const jobs = ws?.write("jobs.jsonl", `${JSON.stringify({ id: "1", prompt: "hi" })}\n`) as string;
    const output = await agentry(["batch", "--output", "ndjson", jobs]);
    expect(output.code).toBe(2);
    expect(output.stderr).toContain("--output");
    const session = await agentry(["batch", "--session", "s", jobs]);
    expect(session.code).toBe(2);
    expect(session.stderr).toContain("--session");
    expect(mock?.requests).toHaveLength(0);
  });
});

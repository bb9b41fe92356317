import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, type MockRequest, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

interface Body {
  messages: { role: string; content: string | null }[];
}

const messagesOf = (request: MockRequest) => (request.body as Body).messages;
const systemOf = (request: MockRequest) =>
  messagesOf(request).find((m) => m.role === "system")?.content ?? "";
const lastOf = (request: MockRequest) => messagesOf(request).at(-1) as { role: string; content: string };

function agentry(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
    timeoutMs: 30_000,
  });
}

describe("an agent is assembled once per runtime", () => {
  test("rate.per_minute = 1 holds across the three runs of one batch: one call runs, two are refused", async () => {
    mock = await startMockProvider({
      turns: (request) =>
        lastOf(request).role === "tool"
          ? { text: `done: ${lastOf(request).content.includes("rate limit") ? "limited" : "ran"}` }
          : { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo call >> calls.log" } }] },
    });
    ws = makeWorkspace(`
[defaults]
agent = "limited"
model = "mock/gpt-4.1-mini"
${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]

[agents.limited]
tools = ["sh"]
mode = "auto"
policy = { rate = { per_minute = 1 } }
`);
    const jobs = ["a", "b", "c"].map((id) => JSON.stringify({ id, prompt: `job ${id}` })).join("\n");
    const result = await agentry(["batch", ws.write("jobs.jsonl", jobs), "--concurrency", "1", "-q"]);
    expect(result.code).toBe(0);
    const answers = parseNdjson(result.stdout).map((line) => line.answer);
    expect(answers.sort()).toEqual(["done: limited", "done: limited", "done: ran"]);
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("call\n");
  });

  test("a sub-agent's own timeout ends it, and the parent learns why", async () => {
    mock = await startMockProvider({
      turns: (request) => {
        if (systemOf(request).includes("LEAD")) {
          return lastOf(request).role === "user"
            ? { toolCalls: [{ id: "k1", name: "agent_slow", arguments: { task: "write" } }] }
            : { text: `lead saw: ${lastOf(request).content}` };
        }
        return lastOf(request).role === "user"
          ? {
              toolCalls: [{ id: "w", name: "sh", arguments: { command: "sleep 4 && echo late > late.txt" } }],
            }
          : { text: "slow finished" };
      },
    });
    ws = makeWorkspace(`
[defaults]
agent = "lead"
model = "mock/gpt-4.1-mini"
${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]

[agents.lead]
instructions = "LEAD"
tools = ["agent:slow"]
mode = "auto"

[agents.slow]
instructions = "SLOW"
tools = ["sh"]
mode = "auto"
timeout = "1s"
`);
    const result = await agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const end = events.find((e) => e.type === "subagent_end");
    expect(end).toMatchObject({ child_agent: "slow", status: "failed", stop_reason: "timeout" });
    const toolResult = events.find((e) => e.type === "tool_result" && e.name === "agent_slow");
    expect(String(toolResult?.error)).toContain("failed (timeout)");
    expect(existsSync(join(ws.dir, "late.txt"))).toBe(false);
  });
});

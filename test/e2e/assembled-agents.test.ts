import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { lastOf, systemOf } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML } from "../support/workspace.ts";

const e2e = e2eFixture();

describe("an agent is assembled once per runtime", () => {
  test("rate.per_minute = 1 holds across the three runs of one batch: one call runs, two are refused", async () => {
    const mock = await e2e.mock((request) =>
      lastOf(request).role === "tool"
        ? { text: `done: ${lastOf(request).content.includes("rate limit") ? "limited" : "ran"}` }
        : { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo call >> calls.log" } }] },
    );
    const ws = e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "limited")}
${SHELL_TOOL_TOML}
[agents.limited]
tools = ["sh"]
mode = "auto"
policy = { rate = { per_minute = 1 } }
`);
    const jobs = ["a", "b", "c"].map((id) => JSON.stringify({ id, prompt: `job ${id}` })).join("\n");
    const result = await e2e.agentry(["batch", ws.write("jobs.jsonl", jobs), "--concurrency", "1", "-q"]);
    expect(result.code).toBe(0);
    const answers = parseNdjson(result.stdout).map((line) => line.answer);
    expect(answers.sort()).toEqual(["done: limited", "done: limited", "done: ran"]);
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("call\n");
  });

  test("a sub-agent's own timeout ends it, and the parent learns why", async () => {
    const mock = await e2e.mock((request) => {
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
    });
    const ws = e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "lead")}
${SHELL_TOOL_TOML}
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
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const end = events.find((e) => e.type === "subagent_end");
    expect(end).toMatchObject({ child_agent: "slow", status: "failed", stop_reason: "timeout" });
    const toolResult = events.find((e) => e.type === "tool_result" && e.name === "agent_slow");
    expect(String(toolResult?.error)).toContain("failed (timeout)");
    expect(existsSync(join(ws.dir, "late.txt"))).toBe(false);
  });
});

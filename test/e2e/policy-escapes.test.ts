import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { lastOf, systemOf } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson } from "../support/workspace.ts";

/**
 * Review 9b: a model choosing how to reach a tool (itself, through a `delegate` child) must meet
 * the same policy either way.
 */
const e2e = e2eFixture();

const MOCK_SERVER = join(import.meta.dir, "../support/mock-mcp-server.ts");

function mcpServer(name: string): string {
  return `[mcp.${name}]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ${JSON.stringify([MOCK_SERVER])}\nenv = ["PATH"]\n`;
}

describe("a delegate child meets its parent's MCP server policy", () => {
  test("a server policy's deny rule refuses the child's call as it refuses the parent's", async () => {
    const main = await e2e.mock((request) => {
      const last = lastOf(request);
      if (systemOf(request).startsWith("You are a focused sub-agent")) {
        if (last.role === "user") {
          return { toolCalls: [{ id: "d1", name: "mcp__docs__danger", arguments: { target: "prod" } }] };
        }
        return { text: `child saw: ${last.content}` };
      }
      if (last.role === "user") {
        return { toolCalls: [{ id: "g1", name: "helper", arguments: { goal: "do the dangerous thing" } }] };
      }
      return { text: "parent done" };
    });
    e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "boss")}
${mcpServer("docs")}
[mcp.docs.policy]
approval = { deny = ["mcp__docs__danger"] }

[tools.helper]
kind = "delegate"

[agents.boss]
tools = ["mcp:docs", "helper"]
mode = "auto"
`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"], { timeoutMs: 60_000 });
    const events = parseNdjson(result.stdout);
    const danger = events.find((e) => e.type === "tool_result" && e.name === "mcp__docs__danger");
    expect(danger).toMatchObject({ ok: false, stopped_by: "approval" });
    expect(result.stdout).not.toContain("danger done to prod");
    expect(result.code).toBe(0);
  }, 90_000);
});

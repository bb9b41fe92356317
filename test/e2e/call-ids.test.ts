import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { MockTurn } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import {
  mockProviderToml,
  parseNdjson,
  SHELL_TOOL_TOML,
  type Workspace,
  workspaceFiles,
} from "../support/workspace.ts";

/** The provider's key: a configured secret (plain characters, so only the redactor can tell). */
const KEY = "mockkey7Hq2Zt9Lw4Rx8Vb3Nc";

const e2e = e2eFixture();

/** Agent `a` with the shell tool `sh`, its provider key `KEY` from `MOCK_KEY`; `extra` goes under `[agents.a]`. */
async function setup(turns: MockTurn[], extra: string): Promise<Workspace> {
  const mock = await e2e.mock(turns);
  return e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai, { apiKeyVar: "MOCK_KEY" })}
${SHELL_TOOL_TOML}
[audit]
path = "audit.jsonl"

[agents.a]
tools = ["sh"]
${extra}
`);
}

function agentry(args: string[]) {
  return e2e.agentry(args, { env: { MOCK_KEY: KEY }, timeoutMs: 60_000 });
}

/** The spill files the runs left, relative to the state dir. */
function spillFiles(workspace: Workspace): string[] {
  const root = join(workspace.stateDir, "spill");
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((name) => statSync(join(root, name)).isFile())
    .sort();
}

const HOSTILE_IDS = [`call_${KEY}`, "../../../../escape/x", `c${"9".repeat(3000)}`];

describe("tool call ids chosen by the model", () => {
  test("ids holding a configured secret, a path or 3000 characters are replaced before anything is written: events, audit, state and spill names hold agentry's ids and never the secret", async () => {
    const ws = await setup(
      [
        {
          toolCalls: HOSTILE_IDS.map((id, n) => ({
            id,
            name: "sh",
            arguments: { command: `seq ${n} 400` },
          })),
        },
        { text: "done" },
      ],
      'mode = "auto"\n[agents.a.policy]\nenrich = { max_output = 200 }',
    );
    const result = await agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const idsOf = (type: string) =>
      events.filter((event) => event.type === type).map((event) => String(event.id));
    const calls = idsOf("tool_call");
    const results = idsOf("tool_result");
    expect(calls).toEqual(["agentry-1-0", "agentry-1-1", "agentry-1-2"]);
    expect(results.sort()).toEqual(calls);

    // The provider gets the same ids back: each tool result answers a call of the assistant turn.
    const second = e2e.provider.requests[1]?.body as {
      messages: { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }[];
    };
    const assistant = second.messages.find((message) => message.role === "assistant");
    expect(assistant?.tool_calls?.map((call) => call.id)).toEqual(calls);
    expect(second.messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id)).toEqual(calls);

    const spilled = spillFiles(ws);
    expect(spilled).toHaveLength(3);
    for (const name of spilled) expect(name).toMatch(/^[^/]+\/[^/]+-agentry-1-[012]\.txt$/);
    const everything = `${result.stdout}\n${result.stderr}\n${workspaceFiles(ws)}`;
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain("escape");
    expect(everything).not.toContain("9".repeat(100));
    const audit = parseNdjson(readFileSync(join(ws.dir, "audit.jsonl"), "utf8"));
    expect(audit.filter((record) => record.type === "tool_call").map((record) => record.call_id)).toEqual(
      expect.arrayContaining(calls),
    );
    expect((await runBinary(["audit", "verify", join(ws.dir, "audit.jsonl")])).code).toBe(0);
  });

  test("a deferred call whose id holds a secret: approvals approve and resume find it by agentry's id and run it once; no state file or audit line holds the secret", async () => {
    const ws = await setup(
      [
        { toolCalls: [{ id: `call_${KEY}`, name: "sh", arguments: { command: "echo ran >> calls.log" } }] },
        { text: "done after approval" },
      ],
      'mode = "ask"\n[agents.a.policy]\napproval = { tools = ["sh"] }',
    );
    const deferred = await agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
    expect(deferred.code).toBe(5);
    const events = parseNdjson(deferred.stdout);
    const asked = events.find((event) => event.type === "approval" && event.state === "deferred");
    expect(events.find((event) => event.type === "tool_call")).toMatchObject({ id: "agentry-1-0" });
    const approvalId = String(asked?.approval_id);
    const runId = String(events[0]?.run_id);

    const listed = await agentry(["approvals", "list"]);
    expect(listed.stdout).toContain(approvalId);
    expect(listed.stdout).not.toContain(KEY);
    expect((await agentry(["approvals", "approve", approvalId, "--by", "alice"])).code).toBe(0);
    const resumed = await agentry(["resume", runId, "--output", "ndjson"]);
    expect(resumed.code).toBe(0);
    const ran = parseNdjson(resumed.stdout).find((event) => event.type === "tool_result");
    expect(ran).toMatchObject({ id: "agentry-1-0", ok: true });
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("ran\n");
    expect((await agentry(["resume", runId])).code).toBe(0);
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("ran\n");

    expect(`${deferred.stdout}${deferred.stderr}${resumed.stdout}${workspaceFiles(ws)}`).not.toContain(KEY);
    const audit = readFileSync(join(ws.dir, "audit.jsonl"), "utf8");
    expect(audit).toContain('"by":"alice"');
    expect(audit).toContain('"call_id":"agentry-1-0"');
    expect((await runBinary(["audit", "verify", join(ws.dir, "audit.jsonl")])).code).toBe(0);
  });
});

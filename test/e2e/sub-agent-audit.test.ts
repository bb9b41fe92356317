import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MockRequest } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { byToolResults, lastOf, shellCall, systemOf } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML } from "../support/workspace.ts";

const e2e = e2eFixture();

type AuditRecord = Record<string, unknown> & { run_id: string; type: string };

const auditOf = (stateDir: string): AuditRecord[] =>
  readFileSync(join(stateDir, "audit.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

/** How many records of `type` each run id has. */
function countByRun(records: AuditRecord[], type: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records)
    if (record.type === type) counts[record.run_id] = (counts[record.run_id] ?? 0) + 1;
  return counts;
}

/** The lead delegates `first`, then runs `echo approved` (needs approval), then delegates `second`. */
const LEAD_SCRIPT = byToolResults([
  { toolCalls: [{ id: "a1", name: "agent_helper", arguments: { task: "first task" } }] },
  shellCall("s1", "echo approved"),
  { toolCalls: [{ id: "a2", name: "agent_helper", arguments: { task: "second task" } }] },
  { text: "all done" },
]);

const turns = (request: MockRequest) =>
  systemOf(request).includes("HELPER")
    ? { text: `helped with ${lastOf(request).content}` }
    : LEAD_SCRIPT(request);

const CONFIG = (baseUrl: string, leadMode: "auto" | "ask") => `
${mockDefaultsToml(baseUrl, "lead")}
${SHELL_TOOL_TOML}
[agents.lead]
instructions = "LEAD"
tools = ["agent:helper", "sh"]
mode = "${leadMode}"
policy = { approval = { tools = ["sh"] } }

[agents.helper]
instructions = "HELPER"
mode = "auto"
`;

/**
 * Runs the lead with `--approve defer` (exit 5), approves its pending call and resumes it (exit 0);
 * the run id and the sub-agent run ids started before and after the deferral.
 */
async function deferApproveResume(): Promise<{ root: string; before: unknown[]; after: unknown[] }> {
  const deferred = await e2e.agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
  expect(deferred.code).toBe(5);
  const events = parseNdjson(deferred.stdout);
  const root = String(events[0]?.run_id);
  const asked = events.find((e) => e.type === "approval" && e.state === "deferred");
  expect((await e2e.agentry(["approvals", "approve", String(asked?.approval_id)])).code).toBe(0);
  const resumed = await e2e.agentry(["resume", root, "--output", "ndjson"]);
  expect(resumed.code).toBe(0);
  const children = (list: Record<string, unknown>[]) =>
    list.filter((e) => e.type === "subagent_start").map((e) => e.child_run_id);
  return { root, before: children(events), after: children(parseNdjson(resumed.stdout)) };
}

describe("a sub-agent run is a run of its own in the audit log", () => {
  test("each sub-agent run gets one run_start (naming its parent) and one run_end; audit verify has no warning", async () => {
    const mock = await e2e.mock(turns);
    const ws = e2e.workspace(CONFIG(mock.baseUrls.openai, "auto"));
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const root = String(parseNdjson(result.stdout)[0]?.run_id);
    const records = auditOf(ws.stateDir);
    const expected = { [root]: 1, [`${root}.1`]: 1, [`${root}.2`]: 1 };
    expect(countByRun(records, "run_start")).toEqual(expected);
    expect(countByRun(records, "run_end")).toEqual(expected);
    const child = records.find((r) => r.type === "run_start" && r.run_id === `${root}.2`);
    expect(child).toMatchObject({ agent: "helper", parent_run_id: root, prompt: "second task", seq: 1 });
    expect(records.find((r) => r.type === "run_end" && r.run_id === `${root}.1`)).toMatchObject({
      status: "ok",
      stop_reason: "answer",
      turns: 1,
    });
    const verify = await e2e.agentry(["audit", "verify"]);
    expect(verify.code).toBe(0);
    expect(verify.stderr).not.toContain("warning");
  });

  test("a resumed run numbers its sub-agents after those of its first part: no id, and no chain, is used twice", async () => {
    const mock = await e2e.mock(turns);
    const ws = e2e.workspace(CONFIG(mock.baseUrls.openai, "ask"));
    const { root, before, after } = await deferApproveResume();
    expect(before).toEqual([`${root}.1`]);
    expect(after).toEqual([`${root}.2`]);
    const records = auditOf(ws.stateDir);
    expect(countByRun(records, "run_start")).toEqual({ [root]: 1, [`${root}.1`]: 1, [`${root}.2`]: 1 });
    const verify = await e2e.agentry(["audit", "verify"]);
    expect(verify.code).toBe(0);
    expect(verify.stderr).not.toContain("warning");
  });

  test("with the audit log off, a resumed run still numbers its sub-agents on (the deferred run keeps the count)", async () => {
    const mock = await e2e.mock(turns);
    e2e.workspace(`${CONFIG(mock.baseUrls.openai, "ask")}\n[audit]\nenabled = false\n`);
    const { root, before, after } = await deferApproveResume();
    expect(before).toEqual([`${root}.1`]);
    expect(after).toEqual([`${root}.2`]);
  });
});

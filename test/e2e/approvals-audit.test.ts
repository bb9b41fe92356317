import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { shellCall } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML } from "../support/workspace.ts";

const e2e = e2eFixture();

/** Audit records of `file`, parsed. */
const records = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("approvals approve|deny without [audit].path", () => {
  test.each(["approve", "deny"])(
    "%s is audited in the state dir's audit.jsonl, the log the deferred run wrote",
    async (decision) => {
      const mock = await e2e.mock([shellCall("d1", "echo hi")]);
      const ws = e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${SHELL_TOOL_TOML}
[agents.ops]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`);
      const deferred = await e2e.agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
      expect(deferred.code).toBe(5);
      const asked = parseNdjson(deferred.stdout).find((e) => e.type === "approval" && e.state === "deferred");
      const approvalId = String(asked?.approval_id);
      const log = join(ws.stateDir, "audit.jsonl");
      const before = records(log).length;

      const decided = await e2e.agentry([
        "approvals",
        decision,
        approvalId,
        "--by",
        "alice",
        "--reason",
        "checked",
      ]);
      expect(decided.code).toBe(0);
      const added = records(log).slice(before);
      expect(added).toEqual([
        expect.objectContaining({
          type: "approval",
          approval_id: approvalId,
          run_id: asked?.run_id,
          decision,
          by: "alice",
          reason: "checked",
        }),
      ]);
      const verify = await e2e.agentry(["audit", "verify"]);
      expect(verify.code).toBe(0);
    },
  );
});

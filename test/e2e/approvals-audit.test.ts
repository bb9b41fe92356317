import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
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

function agentry(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
    timeoutMs: 30_000,
  });
}

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
      mock = await startMockProvider({
        turns: [{ toolCalls: [{ id: "d1", name: "sh", arguments: { command: "echo hi" } }] }],
      });
      ws = makeWorkspace(`
[defaults]
agent = "ops"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
env = ["PATH"]

[agents.ops]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`);
      const deferred = await agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
      expect(deferred.code).toBe(5);
      const asked = parseNdjson(deferred.stdout).find((e) => e.type === "approval" && e.state === "deferred");
      const approvalId = String(asked?.approval_id);
      const log = join(ws.stateDir, "audit.jsonl");
      const before = records(log).length;

      const decided = await agentry([
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
      const verify = await agentry(["audit", "verify"]);
      expect(verify.code).toBe(0);
    },
  );
});

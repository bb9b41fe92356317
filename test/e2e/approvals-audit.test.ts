import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/loader.ts";
import { createRuntime } from "../../src/runtime/runtime.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { shellCall } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML, type Workspace } from "../support/workspace.ts";

const e2e = e2eFixture();

/** Audit records of `file`, parsed. */
const records = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** An agent `ops` whose `sh` calls need approval. */
const opsAskingForSh = (baseUrl: string) => `
${mockDefaultsToml(baseUrl, "ops")}
${SHELL_TOOL_TOML}
[agents.ops]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`;

describe("approvals approve|deny without [audit].path", () => {
  test.each(["approve", "deny"])(
    "%s is audited in the state dir's audit.jsonl, the log the deferred run wrote",
    async (decision) => {
      const mock = await e2e.mock([shellCall("d1", "echo hi")]);
      const ws = e2e.workspace(opsAskingForSh(mock.baseUrls.openai));
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

describe("a deferred run becomes decidable only once its audit lines are written", () => {
  test("an approval recorded by another process the moment the run ends continues the chain: audit verify passes", async () => {
    const mock = await e2e.mock([shellCall("d1", "echo hi")]);
    const ws = e2e.workspace(opsAskingForSh(mock.baseUrls.openai));
    const runtime = createRuntime(await loadConfig(ws.configPath), { stateDir: ws.stateDir });
    const decided: number[] = [];
    let approvalId = "";
    const result = await runtime.run({
      prompt: "go",
      approve: "defer",
      onEvent: (event) => {
        if (event.type === "approval" && event.state === "deferred") approvalId = String(event.approval_id);
        // The earliest a host can learn the run is waiting: another process decides right then.
        if (event.type !== "run_end") return;
        const approve = Bun.spawnSync(
          [BINARY, "approvals", "approve", approvalId, "--by", "alice", "-c", ws.configPath],
          { env: { ...process.env, AGENTRY_STATE_DIR: ws.stateDir }, stdout: "pipe", stderr: "pipe" },
        );
        decided.push(approve.exitCode);
      },
    });
    await runtime.close();
    expect(result.status).toBe("awaiting_approval");
    expect(decided).toEqual([0]);
    const log = records(join(ws.stateDir, "audit.jsonl"));
    const own = log.filter((r) => r.run_id === result.runId);
    expect(own.map((r) => r.type)).toEqual([
      "run_start",
      "approval",
      "tool_call",
      "policy_stop",
      "run_end",
      "approval",
    ]);
    expect(own.at(-1)).toMatchObject({ approval_id: approvalId, decision: "approve", by: "alice" });
    // (It warns that the run has not ended yet: a decided run waits for `resume`.)
    const verify = await e2e.agentry(["audit", "verify"]);
    expect(verify.code).toBe(0);
  });
});

describe("approvals approve|deny without the run's -c", () => {
  /**
   * A run deferred with `sub/run.toml`, whose `[audit] path` is `sub/custom-audit.jsonl`, while the
   * working directory's `agentry.toml` (what `approvals` finds without `-c`) has no `[audit]`.
   */
  async function deferredWithOwnAudit() {
    const mock = await e2e.mock([shellCall("d1", "echo ran >> calls.log"), { text: "done" }]);
    const ws = e2e.workspace(opsAskingForSh(mock.baseUrls.openai));
    mkdirSync(join(ws.dir, "sub"));
    const runConfig = ws.write(
      "sub/run.toml",
      `${opsAskingForSh(mock.baseUrls.openai)}\n[audit]\npath = "custom-audit.jsonl"\n`,
    );
    const deferred = await runBinary(
      ["run", "-c", runConfig, "--approve", "defer", "--output", "ndjson", "go"],
      { cwd: ws.dir, env: { AGENTRY_STATE_DIR: ws.stateDir } },
    );
    expect(deferred.code).toBe(5);
    const asked = parseNdjson(deferred.stdout).find((e) => e.type === "approval" && e.state === "deferred");
    return { ws, runConfig, approvalId: String(asked?.approval_id), runId: String(asked?.run_id) };
  }

  /** `agentry ARGS` in the workspace without `-c`: it finds the workspace's own `agentry.toml`. */
  const withoutC = (ws: Workspace, args: string[]) =>
    runBinary(args, { cwd: ws.dir, env: { AGENTRY_STATE_DIR: ws.stateDir, HOME: ws.dir } });

  test("the decision goes to the audit log of the configuration the run was made with, whose chain resume continues", async () => {
    const { ws, runConfig, approvalId, runId } = await deferredWithOwnAudit();
    const log = join(ws.dir, "sub", "custom-audit.jsonl");

    const approved = await withoutC(ws, ["approvals", "approve", approvalId, "--by", "alice"]);
    expect(approved.code).toBe(0);
    expect(approved.stderr).toContain(`its audit log is ${log}`);
    expect(approved.stdout).toContain(`continue with: agentry resume ${runId} -c ${runConfig}`);
    expect(records(log).filter((r) => r.type === "approval" && r.by === "alice")).toEqual([
      expect.objectContaining({ approval_id: approvalId, run_id: runId, decision: "approve" }),
    ]);
    expect(existsSync(join(ws.stateDir, "audit.jsonl"))).toBe(false);

    const resumed = await runBinary(["resume", runId, "-c", runConfig], {
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir },
    });
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("ran\n");
    expect((await runBinary(["audit", "verify", log])).code).toBe(0);
  });

  test("when that configuration cannot be read, nothing is recorded and the usage error names the -c to pass; an explicit -c is the operator's word; resume warns", async () => {
    const { ws, runConfig, approvalId, runId } = await deferredWithOwnAudit();
    renameSync(runConfig, `${runConfig}.moved`);

    const refused = await withoutC(ws, ["approvals", "deny", approvalId, "--by", "alice"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`pass -c ${runConfig}`);
    expect(refused.stderr).toContain("nothing was recorded");
    expect((await withoutC(ws, ["approvals", "list"])).stdout).toContain(`${approvalId}\tpending`);

    const explicit = await withoutC(ws, [
      "approvals",
      "deny",
      approvalId,
      "--by",
      "alice",
      "-c",
      `${runConfig}.moved`,
    ]);
    expect(explicit.code).toBe(0);
    expect(records(join(ws.dir, "sub", "custom-audit.jsonl")).at(-1)).toMatchObject({
      approval_id: approvalId,
      decision: "deny",
      by: "alice",
    });

    // `resume` without the run's -c continues it under the configuration it finds, and says so.
    const resumed = await withoutC(ws, ["resume", runId]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      `warning: run ${runId} was made with ${runConfig}; it continues with ${ws.configPath} (pass -c ${runConfig}`,
    );
  });
});

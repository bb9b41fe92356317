import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../../src/testing/index.ts";
import { runBinary } from "../../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

function agentry(args: string[], env: Record<string, string | undefined> = {}) {
  if (!ws) throw new Error("no workspace");
  return runBinary(args, { cwd: ws.dir, env: { AGENTRY_STATE_DIR: ws.stateDir, ...env } });
}

/** The account name of this process's uid, as `id -un` prints it. */
function accountOfThisProcess(): string {
  const uid = String(process.getuid?.());
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.split(":")[2] === uid);
  return line?.split(":")[0] ?? "";
}

describe("issue 12: commands a new user meets first", () => {
  test("item 8: doctor shows the resolved VAR-with-default base URL, never the raw reference or its credentials", async () => {
    ws = makeWorkspace(`
[providers.local]
kind = "ollama"
base_url = "\${OLLAMA_URL:-http://127.0.0.1:9/v1}"

[providers.remote]
kind = "openai-compatible"
base_url = "\${REMOTE_URL}"
`);
    const result = await agentry(["doctor", "-c", ws.configPath], {
      REMOTE_URL: "http://bob:hunter2@127.0.0.1:9/api?key=k-123",
    });
    expect(result.stdout).toContain("provider local (ollama): http://127.0.0.1:9/v1 is unreachable");
    expect(result.stdout).toContain(
      "provider remote (openai-compatible): http://127.0.0.1:9/api is unreachable",
    );
    expect(result.stdout).not.toContain("${OLLAMA_URL:-");
    expect(result.stdout).not.toContain("hunter2");
    expect(result.stdout).not.toContain("k-123");
  });

  test("item 9: init creates missing directories; a path it cannot create is exit 2 with the reason", async () => {
    ws = makeWorkspace("");
    const created = await agentry(["init", "sub/dir/x.toml"]);
    expect(created.code).toBe(0);
    expect(existsSync(join(ws.dir, "sub/dir/x.toml"))).toBe(true);
    const validate = await agentry(["validate", "-c", "sub/dir/x.toml"]);
    expect(validate.code).toBe(0);

    writeFileSync(join(ws.dir, "blocker"), "a file, not a directory");
    const blocked = await agentry(["init", "blocker/x.toml"]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain("cannot write blocker/x.toml");
    expect(blocked.stderr).not.toContain("    at ");
  });

  test("item 11: the did-you-mean for an unknown tool never offers the agent itself", async () => {
    ws = makeWorkspace(`
[defaults]
agent = "ops"
model = "mock/m"

[providers.mock]
kind = "openai-compatible"
base_url = "http://127.0.0.1:9/v1"

[tools.run_ops]
kind = "agent"
agent = "ops"

[agents.helper]
instructions = "Help."

[agents.ops]
instructions = "Operate."
tools = ["agent-ops"]
`);
    const result = await agentry(["validate", "-c", ws.configPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown tool "agent-ops"');
    expect(result.stderr).toContain('"agent:helper"');
    expect(result.stderr).not.toContain("agent:ops");
    expect(result.stderr).not.toContain("run_ops");
  });

  test("item 12: with $USER unset, approvals are recorded as decided by the OS user, not 'unknown'", async () => {
    mock = await startMockProvider({
      turns: [
        { toolCalls: [{ id: "d1", name: "sh", arguments: { command: "echo ran" } }] },
        { text: "done after approval" },
      ],
    });
    ws = makeWorkspace(`
[defaults]
agent = "gov"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
env = ["PATH"]

[agents.gov]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }

[audit]
path = "audit.jsonl"
`);
    const noUser = { USER: undefined, LOGNAME: undefined };
    const deferred = await agentry(
      ["run", "-c", ws.configPath, "--approve", "defer", "--output", "ndjson", "gov", "go"],
      noUser,
    );
    expect(deferred.code).toBe(5);
    const events = parseNdjson(deferred.stdout);
    const approvalId = events.find((e) => e.type === "approval" && e.state === "deferred")
      ?.approval_id as string;
    const approve = await agentry(["approvals", "-c", ws.configPath, "approve", approvalId], noUser);
    expect(approve.code).toBe(0);
    const resumed = await agentry(["resume", "-c", ws.configPath, events[0]?.run_id as string], noUser);
    expect(resumed.code).toBe(0);
    const records = readFileSync(join(ws.dir, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const decisions = records.filter((r) => r["type"] === "approval" && r["decision"] === "approve");
    expect(decisions.length).toBeGreaterThan(0);
    for (const decision of decisions) expect(decision["by"]).toBe(accountOfThisProcess());
  });
});

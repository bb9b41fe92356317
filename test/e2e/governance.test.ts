import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MockTurn } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

const KEY = "sk-governance-key-9f8e7d6c5b4a3210";
const TOKEN = "svc-token-Zq81mVx40PLw27Rk";

const e2e = e2eFixture();

function config(baseUrl: string, agentExtra: string): string {
  return `
[defaults]
agent = "gov"
model = "mock/gpt-4.1-mini"
max_turns = 10

${mockProviderToml(baseUrl, { apiKeyVar: "MOCK_KEY" })}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]
set_env = { SERVICE_TOKEN = "\${SERVICE_TOKEN}" }

[tools.files]
kind = "file"
root = "."
write = true

[audit]
path = "audit.jsonl"

[agents.gov]
tools = ["sh", "files"]
${agentExtra}`;
}

async function setup(
  turns: MockTurn[] | ((body: RequestBody, index: number) => MockTurn),
  agentExtra = 'mode = "auto"',
) {
  const mock = await e2e.mock(
    typeof turns === "function" ? (request, index) => turns(request.body as RequestBody, index) : turns,
  );
  return e2e.workspace(config(mock.baseUrls.openai, agentExtra));
}

interface RequestBody {
  messages: { role: string; content: string; tool_call_id?: string }[];
}

function agentry(args: string[], extra: { stdin?: string } = {}) {
  return e2e.agentry(args, { env: { MOCK_KEY: KEY, SERVICE_TOKEN: TOKEN }, ...extra });
}

const sh = (id: string, command: string): MockTurn => ({
  toolCalls: [{ id, name: "sh", arguments: { command } }],
});

describe("governance on the compiled binary", () => {
  test("an identical call runs at most max_repeats times, then the loop stops the run (exit 1)", async () => {
    await setup(
      Array.from({ length: 8 }, (_, i) => sh(`l${i}`, "echo again >> loop.log")),
      'mode = "auto"\n[agents.gov.policy]\nloop = { max_repeats = 3 }',
    );
    const result = await agentry(["run", "--output", "ndjson", "gov", "go"]);
    expect(result.code).toBe(1);
    const events = parseNdjson(result.stdout);
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "failed", stop_reason: "loop" });
    expect(readFileSync(join(e2e.ws.dir, "loop.log"), "utf8")).toBe("again\nagain\nagain\n");
    expect(events.filter((e) => e.stopped_by === "loop_detection")).toHaveLength(2);
  });

  test("a repeatedly failing tool opens the circuit breaker; the model adapts (exit 0)", async () => {
    await setup(
      [sh("f1", "exit 3"), sh("f2", "exit 4"), sh("f3", "exit 5"), { text: "gave up on the tool" }],
      'mode = "auto"\n[agents.gov.policy]\nbreaker = { failures = 2, cooldown = "10m" }\nfailures = { max_consecutive = 10 }',
    );
    const result = await agentry(["run", "--output", "ndjson", "gov", "go"]);
    expect(result.code).toBe(0);
    const results = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(results.map((e) => e.stopped_by ?? "tool")).toEqual(["tool", "tool", "circuit_breaker"]);
  });

  test("failure limits stop a run whose tool keeps failing (exit 1)", async () => {
    await setup(
      [sh("f1", "exit 3"), sh("f2", "exit 4"), sh("f3", "exit 5"), { text: "never" }],
      'mode = "auto"\n[agents.gov.policy]\nfailures = { max_consecutive = 2 }',
    );
    const result = await agentry(["run", "--output", "json", "gov", "go"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "failed", stop_reason: "tool_error" });
  });

  test("PII reaches the model only as placeholders; the next tool call gets the real value", async () => {
    const email = "jane.doe@example.com";
    const placeholders: string[] = [];
    await setup((body, index) => {
      if (index === 0) return sh("p1", "cat customers.txt");
      if (index === 1) {
        const output = body.messages.at(-1)?.content ?? "";
        const placeholder = /\[PII:email:[0-9a-f]+\]/.exec(output)?.[0] ?? "missing";
        placeholders.push(placeholder);
        return {
          toolCalls: [
            { id: "p2", name: "files", arguments: { op: "write", path: "out.txt", content: placeholder } },
          ],
        };
      }
      return { text: "done" };
    });
    e2e.ws.write("customers.txt", `customer ${email} called\n`);
    const result = await agentry(["run", "--output", "ndjson", "gov", "go"]);
    expect(result.code).toBe(0);
    expect(placeholders[0]).toMatch(/^\[PII:email:[0-9a-f]+\]$/);
    expect(readFileSync(join(e2e.ws.dir, "out.txt"), "utf8")).toBe(email);
    for (const request of e2e.provider.requests) expect(JSON.stringify(request.body)).not.toContain(email);
    expect(result.stdout).not.toContain(email);
    expect(readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8")).not.toContain(email);
  });

  test("a deny pattern judges the arguments the tool runs with: a copied placeholder does not slip past it", async () => {
    await setup((body, index) => {
      if (index === 0) return sh("d1", "cat hosts.txt");
      if (index === 1) {
        const output = body.messages.at(-1)?.content ?? "";
        const placeholder = /\[PII:ip:[0-9a-f]+\]/.exec(output)?.[0] ?? "missing";
        return sh("d2", `echo ${placeholder} > reached.txt`);
      }
      return { text: "done" };
    }, 'mode = "auto"\n[agents.gov.policy]\napproval = { deny = ["sh:*169.254.169.254*"] }');
    e2e.ws.write("hosts.txt", "metadata 169.254.169.254\n");
    const result = await agentry(["run", "--output", "ndjson", "gov", "go"]);
    expect(result.code).toBe(0);
    const denied = parseNdjson(result.stdout).find((e) => e.type === "tool_result" && e.id === "d2");
    expect(denied).toMatchObject({ ok: false, stopped_by: "approval" });
    expect(String(denied?.error)).toContain("sh call denied by policy (matches deny pattern");
    expect(existsSync(join(e2e.ws.dir, "reached.txt"))).toBe(false);
  });

  test("configured secrets never appear in stdout, stderr, events, audit or model requests", async () => {
    await setup([sh("s1", 'echo "token is $SERVICE_TOKEN"'), { text: `the token was ${TOKEN}` }]);
    for (const format of ["text", "ndjson"]) {
      const result = await agentry(["run", "--output", format, "-v", "gov", "go"]);
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(TOKEN);
      expect(result.stdout + result.stderr).not.toContain(KEY);
      expect(e2e.provider.requests).toHaveLength(2);
      for (const request of e2e.provider.requests) expect(JSON.stringify(request.body)).not.toContain(TOKEN);
      const next = await e2e.mock([
        sh("s1", 'echo "token is $SERVICE_TOKEN"'),
        { text: `the token was ${TOKEN}` },
      ]);
      e2e.ws.write("agentry.toml", config(next.baseUrls.openai, 'mode = "auto"'));
    }
    const audit = readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8");
    expect(audit).not.toContain(TOKEN);
    expect(audit).not.toContain(KEY);
    expect(audit).toMatch(/\[PII:secret:[0-9a-f]+\]/);
  });

  test("a deferred call to a host the model saw as a placeholder: approvals list shows the host, and after approval it runs with it", async () => {
    const ip = "10.20.30.40";
    await setup((body, index) => {
      if (index === 0)
        return { toolCalls: [{ id: "r1", name: "files", arguments: { op: "read", path: "hosts.txt" } }] };
      if (index === 1) {
        const placeholder =
          /\[PII:ip:[0-9a-f]+\]/.exec(body.messages.at(-1)?.content ?? "")?.[0] ?? "missing";
        return sh("d1", `echo reach ${placeholder} > reached.txt`);
      }
      return { text: "reached" };
    }, 'mode = "ask"\n[agents.gov.policy]\napproval = { tools = ["sh"] }');
    e2e.ws.write("hosts.txt", `web ${ip}\n`);
    const deferred = await agentry(["run", "--approve", "defer", "--output", "ndjson", "gov", "go"]);
    expect(deferred.code).toBe(5);
    const events = parseNdjson(deferred.stdout);
    const approvalId = events.find((e) => e.type === "approval" && e.state === "deferred")
      ?.approval_id as string;
    const runId = events[0]?.run_id as string;
    // Nothing real in plain text at rest: the run file keeps placeholders, the value is sealed.
    const saved = readFileSync(join(e2e.ws.stateDir, "runs", `${runId}.json`), "utf8");
    expect(saved).toContain("[PII:ip:");
    expect(saved).not.toContain(ip);

    const list = await agentry(["approvals", "list"]);
    expect(list.code).toBe(0);
    const row = list.stdout.split("\n").find((line) => line.startsWith(approvalId)) ?? "";
    expect(row).toMatch(/\t\[PII:ip:[0-9a-f]+\] is 10\.20\.30\.40$/);

    expect((await agentry(["approvals", "approve", approvalId, "--by", "alice"])).code).toBe(0);
    const resumed = await agentry(["resume", runId]);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(e2e.ws.dir, "reached.txt"), "utf8")).toBe(`reach ${ip}\n`);
    for (const request of e2e.provider.requests) expect(JSON.stringify(request.body)).not.toContain(ip);
    expect(readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8")).not.toContain(ip);
  });

  test("defer → exit 5 → approve → resume executes the call once; a second resume changes nothing", async () => {
    await setup(
      [sh("d1", "echo ran >> calls.log"), { text: "all done after approval" }],
      'mode = "ask"\n[agents.gov.policy]\napproval = { tools = ["sh"] }',
    );
    const deferred = await agentry(["run", "--approve", "defer", "--output", "ndjson", "gov", "go"]);
    expect(deferred.code).toBe(5);
    const events = parseNdjson(deferred.stdout);
    const approval = events.find((e) => e.type === "approval" && e.state === "deferred");
    expect(approval?.approval_id).toBeString();
    const runId = events[0]?.run_id as string;
    expect(existsSync(join(e2e.ws.dir, "calls.log"))).toBe(false);

    const list = await agentry(["approvals", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(approval?.approval_id as string);

    const approve = await agentry([
      "approvals",
      "approve",
      approval?.approval_id as string,
      "--by",
      "alice",
      "--reason",
      "fine",
    ]);
    expect(approve.code).toBe(0);

    const resumed = await agentry(["resume", runId]);
    expect(resumed.stderr).not.toContain("error");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe("all done after approval\n");
    expect(readFileSync(join(e2e.ws.dir, "calls.log"), "utf8")).toBe("ran\n");

    const requestsBefore = e2e.provider.requests.length;
    const again = await agentry(["resume", runId]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already finished");
    expect(e2e.provider.requests.length).toBe(requestsBefore);
    expect(readFileSync(join(e2e.ws.dir, "calls.log"), "utf8")).toBe("ran\n");

    const verify = await agentry(["audit", "verify", join(e2e.ws.dir, "audit.jsonl")]);
    expect(verify.code).toBe(0);
    const audit = readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8");
    expect(audit).toContain('"by":"alice"');
  });

  test("without a terminal, calls needing approval are denied and the model sees why", async () => {
    await setup(
      [sh("n1", "echo should-not-run >> calls.log"), { text: "understood" }],
      'mode = "ask"\n[agents.gov.policy]\napproval = { tools = ["sh"] }',
    );
    const result = await agentry(["run", "gov", "go"]);
    expect(result.code).toBe(0);
    expect(existsSync(join(e2e.ws.dir, "calls.log"))).toBe(false);
    const body = e2e.provider.requests[1]?.body as RequestBody;
    expect(body.messages.at(-1)?.content).toContain("approval");
  });
});

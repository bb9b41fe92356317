import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type MockProvider,
  type MockRequest,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

/** Looks like no known key format: only its registration as a configured secret can hide it. */
const KEY = "correct-horse-battery-staple-42";
const PASSED = "pass-through-Secret-77aQ2mZt";
const DB_PASSWORD = "dbPw-Ux83kLq0vN";
const DB_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/orders`;

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

/**
 * Agent `sec` with a `sh` tool passing the secrets through. `turns`: the first answers the prompt,
 * the second every tool result; or a function of the request. `policy` goes in `[agents.sec]`.
 */
async function setup(
  turns: MockTurn[] | ((request: MockRequest) => MockTurn),
  policy = "",
): Promise<Workspace> {
  mock = await startMockProvider({
    turns: (request) => {
      if (typeof turns === "function") return turns(request);
      const body = request.body as { messages: { role: string }[] };
      return (body.messages.at(-1)?.role === "tool" ? turns[1] : turns[0]) ?? { text: "?" };
    },
  });
  ws = makeWorkspace(`
[defaults]
agent = "sec"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai, { apiKeyVar: "MOCK_KEY" })}
[tools.sh]
kind = "shell"
env = ["PATH", "MY_SECRET", "DATABASE_URL", "PLAIN_SETTING"]

[audit]
path = "audit.jsonl"

[agents.sec]
mode = "auto"
tools = ["sh"]
${policy}
`);
  return ws;
}

function agentry(workspace: Workspace, args: string[]) {
  return runBinary([...args, "-c", workspace.configPath], {
    cwd: workspace.dir,
    env: {
      MOCK_KEY: KEY,
      MY_SECRET: PASSED,
      DATABASE_URL: DB_URL,
      PLAIN_SETTING: "plain-visible-value",
      AGENTRY_STATE_DIR: workspace.stateDir,
    },
  });
}

describe("secrets on the compiled binary (issue 11 items 11, 12)", () => {
  test("a configured secret pasted into the prompt is redacted in run_start (event and audit)", async () => {
    const workspace = await setup([{ text: "noted" }]);
    const result = await agentry(workspace, ["run", "--output", "ndjson", `deploy with key ${KEY} please`]);
    expect(result.code).toBe(0);
    const start = parseNdjson(result.stdout).find((event) => event.type === "run_start");
    expect(String(start?.prompt)).toMatch(/deploy with key \[PII:secret:[0-9a-f]+\] please/);
    expect(result.stdout).not.toContain(KEY);
    expect(result.stderr).not.toContain(KEY);
    const audit = readFileSync(join(workspace.dir, "audit.jsonl"), "utf8");
    expect(audit).toContain('"type":"run_start"');
    expect(audit).not.toContain(KEY);
  });

  test("passed-through env vars with secret-looking names never reach output, events, audit or the model", async () => {
    const workspace = await setup([
      {
        toolCalls: [
          { id: "e1", name: "sh", arguments: { command: "printenv MY_SECRET" } },
          { id: "e2", name: "sh", arguments: { command: "printenv DATABASE_URL" } },
          { id: "e3", name: "sh", arguments: { command: "printenv PLAIN_SETTING" } },
        ],
      },
      { text: "done" },
    ]);
    const ndjson = await agentry(workspace, ["run", "--output", "ndjson", "show the environment"]);
    expect(ndjson.code).toBe(0);
    const text = await agentry(workspace, ["run", "-v", "show the environment"]);
    expect(text.code).toBe(0);
    const audit = readFileSync(join(workspace.dir, "audit.jsonl"), "utf8");
    const modelSaw = JSON.stringify(mock?.requests.map((request) => request.body));
    for (const place of [ndjson.stdout, ndjson.stderr, text.stdout, text.stderr, audit, modelSaw]) {
      expect(place).not.toContain(PASSED);
      expect(place).not.toContain(DB_PASSWORD);
    }
    const results = parseNdjson(ndjson.stdout)
      .filter((event) => event.type === "tool_result")
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(results.map((event) => String(event.output))).toEqual([
      expect.stringMatching(/\[PII:secret:[0-9a-f]+\]/),
      expect.stringMatching(/postgres:\/\/app:\[PII:secret:[0-9a-f]+\]@db\.internal:5432\/orders/),
      expect.stringContaining("plain-visible-value"),
    ]);
  });
});

describe("a deny pattern's refusal on the compiled binary (review 7)", () => {
  test("why a call with a copied placeholder cannot be checked reaches the model without the secret it stands for", async () => {
    const workspace = await setup((request) => {
      const messages = (request.body as { messages: { role: string; content?: unknown }[] }).messages;
      const results = messages.filter((message) => message.role === "tool");
      if (results.length === 0)
        return { toolCalls: [{ id: "p1", name: "sh", arguments: { command: "printenv MY_SECRET" } }] };
      if (results.length > 1) return { text: "done" };
      const placeholder = /\[PII:secret:[0-9a-f]+\]/.exec(String(results[0]?.content))?.[0] ?? "none";
      return { toolCalls: [{ id: "p2", name: "sh", arguments: { command: `env --${placeholder}` } }] };
    }, 'policy = { approval = { deny = ["sh:rm *"] } }');
    const result = await agentry(workspace, ["run", "--output", "ndjson", "probe"]);
    expect(result.code).toBe(0);
    const refusal = parseNdjson(result.stdout).find(
      (event) => event.type === "tool_result" && event.id === "p2",
    );
    expect(String(refusal?.error)).toContain('cannot be checked against deny pattern "sh:rm *"');
    const modelSaw = JSON.stringify(mock?.requests.map((request) => request.body));
    expect(modelSaw).toMatch(/option agentry does not know \(--\[PII:secret:[0-9a-f]+\]\)/);
    expect(modelSaw).not.toContain(PASSED);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

async function workspace(extra: string, defaults = "") {
  mock = await startMockProvider({ turns: () => ({ text: "ran" }) });
  ws = makeWorkspace(`
[defaults]
model = "mock/gpt-4.1-mini"
${defaults}

${mockProviderToml(mock.baseUrls.openai)}
[agents.ops]
instructions = "Hello {{toString}} {{constructor}}"
${extra}`);
  return ws;
}

function agentry(args: string[], stdin?: string) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
    timeoutMs: 20_000,
    ...(stdin !== undefined ? { stdin } : {}),
  });
}

describe("names that JavaScript objects inherit (issue 11 item 20)", () => {
  test("[agents.__proto__] is a configuration error naming it (exit 2), not silently dropped", async () => {
    await workspace('\n[agents.__proto__]\ninstructions = "x"\n');
    const result = await agentry(["validate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("agents.__proto__");
    expect(result.stderr).toContain('"__proto__" is a reserved name');
  });

  test("__proto__ as a vars key is a configuration error too", async () => {
    await workspace('vars = { __proto__ = "x", service = "api" }');
    const result = await agentry(["validate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("agents.ops.vars.__proto__");
  });

  test.each(["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])(
    "`agentry run %s x` runs nothing when no such agent exists (exit 2, no model request)",
    async (name) => {
      await workspace("");
      const result = await agentry(["run", name, "x"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("agent");
      expect(mock?.requests).toHaveLength(0);
    },
  );

  test("a batch job naming agent constructor or toString fails; the real agent's job runs", async () => {
    await workspace("");
    const jobs = [
      { id: "a", agent: "constructor", prompt: "p" },
      { id: "b", agent: "toString", prompt: "p" },
      { id: "c", agent: "ops", prompt: "p" },
    ];
    const file = ws?.write("jobs.jsonl", jobs.map((job) => JSON.stringify(job)).join("\n")) ?? "";
    const result = await agentry(["batch", file]);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; status: string });
    const byId = Object.fromEntries(lines.map((line) => [line.id, line.status]));
    expect(byId).toEqual({ a: "failed", b: "failed", c: "ok" });
    expect(mock?.requests).toHaveLength(1);
    expect(result.code).toBe(1);
  });

  test("{{toString}} in instructions is an unknown variable, not Object.prototype.toString", async () => {
    await workspace("", 'agent = "ops"');
    const result = await agentry(["run", "ops", "x"]);
    expect(result.code).toBe(0);
    const body = mock?.requests[0]?.body as { messages: { role: string; content: string }[] };
    const system = body.messages.find((m) => m.role === "system")?.content ?? "";
    expect(system).toContain("Hello {{toString}} {{constructor}}");
    expect(system).not.toContain("native code");
  });

  test("a model named constructor is priced as unknown, not from Object.prototype", async () => {
    await workspace('model = "mock/constructor"', 'agent = "ops"');
    const result = await agentry(["run", "--output", "json", "ops", "x"]);
    expect(result.code).toBe(0);
    const end = JSON.parse(result.stdout) as { usage: { cost_usd: unknown } };
    expect(end.usage.cost_usd).toBe(0);
  });
});

import { describe, expect, test } from "bun:test";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockProviderToml } from "../support/workspace.ts";

const e2e = e2eFixture();

async function workspace(extra: string, defaults = "") {
  const mock = await e2e.mock(() => ({ text: "ran" }));
  return e2e.workspace(`
[defaults]
model = "mock/gpt-4.1-mini"
${defaults}

${mockProviderToml(mock.baseUrls.openai)}
[agents.ops]
instructions = "Hello {{toString}} {{constructor}}"
${extra}`);
}

function agentry(args: string[], stdin?: string) {
  return e2e.agentry(args, stdin !== undefined ? { stdin } : {});
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
      expect(e2e.provider.requests).toHaveLength(0);
    },
  );

  test("a batch job naming agent constructor or toString fails; the real agent's job runs", async () => {
    await workspace("");
    const jobs = [
      { id: "a", agent: "constructor", prompt: "p" },
      { id: "b", agent: "toString", prompt: "p" },
      { id: "c", agent: "ops", prompt: "p" },
    ];
    const file = e2e.ws.write("jobs.jsonl", jobs.map((job) => JSON.stringify(job)).join("\n"));
    const result = await agentry(["batch", file]);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; status: string });
    const byId = Object.fromEntries(lines.map((line) => [line.id, line.status]));
    expect(byId).toEqual({ a: "failed", b: "failed", c: "ok" });
    expect(e2e.provider.requests).toHaveLength(1);
    expect(result.code).toBe(1);
  });

  test("{{toString}} in instructions is an unknown variable, not Object.prototype.toString", async () => {
    await workspace("", 'agent = "ops"');
    const result = await agentry(["run", "ops", "x"]);
    expect(result.code).toBe(0);
    const body = e2e.provider.requests[0]?.body as { messages: { role: string; content: string }[] };
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

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text holds ${VAR} references literally
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/loader.ts";
import { precheckedConfig } from "../../src/config/precompiled/index.ts";
import { refusedKeyIssue } from "../../src/config/refused-keys.ts";
import { configSchema } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/spec/errors.ts";

const root = mkdtempSync(join(tmpdir(), "read-only-key-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TOOLS: Record<string, Record<string, unknown>> = {
  shell: { kind: "shell" },
  http: { kind: "http", methods: ["POST"] },
  file: { kind: "file", root: "/tmp" },
  agent: { kind: "agent", agent: "child" },
  delegate: { kind: "delegate" },
};

const configWith = (tool: Record<string, unknown>) => ({ tools: { t: tool } });

describe("read_only in the schema and the precompiled check", () => {
  for (const kind of ["shell", "http"]) {
    test(`${kind} tools take it: zod and the precompiled check accept it and return the same value`, () => {
      for (const value of [true, false]) {
        const raw = configWith({ ...TOOLS[kind], read_only: value });
        const zod = configSchema.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(precheckedConfig(raw, true)).toEqual(zod.data as never);
        expect(zod.data?.tools?.["t"]).toMatchObject({ read_only: value });
      }
    });
  }

  for (const kind of ["file", "agent", "delegate"]) {
    test(`${kind} tools refuse it: zod rejects it as an unrecognised key and the precompiled check declines`, () => {
      for (const value of [true, false]) {
        const raw = configWith({ ...TOOLS[kind], read_only: value });
        const zod = configSchema.safeParse(raw);
        expect(zod.success).toBe(false);
        expect(zod.error?.issues.map((issue) => [issue.code, issue.path])).toEqual([
          ["unrecognized_keys", ["tools", "t"]],
        ]);
        expect(precheckedConfig(raw, true)).toBeUndefined();
        const without = configWith(TOOLS[kind] ?? {});
        expect(precheckedConfig(without, true)).toEqual(configSchema.parse(without) as never);
      }
    });
  }
});

describe("refusedKeyIssue", () => {
  test("words read_only on agent, delegate and file tools with the reason and what to write instead", () => {
    expect(
      refusedKeyIssue(["tools", "t"], "read_only", { kind: "agent", agent: "child", read_only: true }),
    ).toEqual({
      message:
        'a tool of kind "agent" takes no read_only key: the sub-agent it runs uses its own tools, which may write whatever the key says, so agentry always treats the tool as read-write (mode = "readonly" never runs it)',
      expected:
        'no read_only key (to keep the sub-agent from writing, give agent "child" mode = "readonly" or only read-only tools)',
      found: "read_only = true",
    });
    expect(refusedKeyIssue(["tools", "t"], "read_only", { kind: "agent", read_only: 1 })?.expected).toContain(
      "give the agent it runs mode",
    );
    expect(
      refusedKeyIssue(["tools", "t"], "read_only", { kind: "delegate", read_only: false }),
    ).toMatchObject({
      expected:
        "no read_only key (to keep the sub-agents from writing, list only read-only tools in its tools = [...])",
      found: "read_only = false",
    });
    expect(refusedKeyIssue(["tools", "t"], "read_only", { kind: "file", read_only: "yes" })?.found).toBe(
      'read_only = "yes"',
    );
  });

  test("leaves every other unknown key to the generic wording", () => {
    const agent = { kind: "agent", read_only: true };
    expect(refusedKeyIssue(["tools", "t"], "readonly", agent)).toBeUndefined();
    expect(refusedKeyIssue(["agents", "t"], "read_only", agent)).toBeUndefined();
    expect(refusedKeyIssue(["tools"], "read_only", agent)).toBeUndefined();
    expect(refusedKeyIssue(["tools", "t"], "read_only", { kind: "shell", read_only: true })).toBeUndefined();
    expect(
      refusedKeyIssue(["tools", "t"], "read_only", { kind: "toString", read_only: true }),
    ).toBeUndefined();
    expect(refusedKeyIssue(["tools", "t"], "read_only", { read_only: true })).toBeUndefined();
    expect(refusedKeyIssue(["tools", "t"], "read_only", [])).toBeUndefined();
  });
});

describe("loadConfig", () => {
  test("reports read_only on a sub-agent tool at its file, line and key path, with every other problem", async () => {
    const dir = mkdtempSync(join(root, "p"));
    writeFileSync(
      join(dir, "agentry.toml"),
      [
        "[tools.helper]",
        'kind = "agent"',
        'agent = "child"',
        "read_only = true",
        "[tools.sh]",
        'kind = "shell"',
        "read_only = true",
        "alow = []",
        "[agents.child]",
        "[defaults]",
        'model = "local/m"',
        "[providers.local]",
        'kind = "ollama"',
      ].join("\n"),
    );
    const error = await loadConfig("agentry.toml", { cwd: dir }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((issue) => [issue.file, issue.line, issue.column, issue.path])).toEqual([
      ["agentry.toml", 4, 1, "tools.helper.read_only"],
      ["agentry.toml", 8, 1, "tools.sh.alow"],
    ]);
    expect(issues[0]?.message).toStartWith('a tool of kind "agent" takes no read_only key');
    expect(issues[1]?.message).toBe('unknown key "alow"');
    expect(issues[1]?.suggestion).toBe("allow");
  });
});

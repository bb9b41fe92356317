// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text holds ${VAR} references literally
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/loader.ts";
import { ConfigError } from "../../src/spec/errors.ts";

const root = mkdtempSync(join(tmpdir(), "config-loader-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** Writes files into a fresh directory and returns it. */
function project(files: Record<string, string>): string {
  const dir = join(root, `p${counter++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function issuesOf(dir: string, file = "agentry.toml") {
  try {
    await loadConfig(file, { cwd: dir, env: { HOME: "/home/tester" } });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

const PROVIDER = '[providers.openai]\nkind = "openai"\napi_key = "${OPENAI_API_KEY}"\n';

describe("loadConfig", () => {
  test("loads, converts units, resolves paths against the naming file, keeps ${VAR} raw", async () => {
    const dir = project({
      "agentry.toml": `include = ["team/*.toml"]\n${PROVIDER}[defaults]\nmodel = "openai/m"\ntimeout = "1m30s"\nstate_dir = "~/state"\n[audit]\npath = "logs/audit.jsonl"\n`,
      "team/ops.toml":
        '[agents.ops]\ninstructions_file = "ops.md"\n[tools.files]\nkind = "file"\nroot = "."\nmax_read = "1KiB"\n',
      "team/ops.md": "You help.",
    });
    const loaded = await loadConfig("agentry.toml", { cwd: dir, env: { HOME: "/home/tester" } });
    expect(loaded.path).toBe(join(dir, "agentry.toml"));
    expect(loaded.files).toEqual([join(dir, "agentry.toml"), join(dir, "team/ops.toml")]);
    expect(loaded.config.defaults?.timeout).toBe(90_000);
    expect(loaded.config.defaults?.state_dir).toBe("/home/tester/state");
    expect(loaded.config.audit?.path).toBe(join(dir, "logs/audit.jsonl"));
    expect(loaded.config.agents?.["ops"]?.instructions_file).toBe(join(dir, "team/ops.md"));
    const files = loaded.config.tools?.["files"];
    expect(files?.kind === "file" && files.root).toBe(join(dir, "team"));
    expect(files?.kind === "file" && files.max_read).toBe(1024);
    expect(loaded.config.providers?.["openai"]?.api_key).toBe("${OPENAI_API_KEY}");
  });

  test("an unset ${VAR} is not a load-time error", async () => {
    const dir = project({ "agentry.toml": `${PROVIDER}[defaults]\nmodel = "openai/m"\n` });
    const loaded = await loadConfig("agentry.toml", { cwd: dir, env: {} });
    expect(loaded.config.providers?.["openai"]?.kind).toBe("openai");
  });

  test("reports every problem at once, sorted by file, line and column", async () => {
    const dir = project({
      "agentry.toml": `include = ["more.toml"]\n${PROVIDER}[defaults]\nmodel = "openai/m"\nmode = "sometimes"\n[agents.ops]\ntools = ["nope"]\n`,
      "more.toml": "[agents.two]\nmax_turns = 0\n",
    });
    const issues = await issuesOf(dir);
    expect(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.path}`)).toEqual([
      "agentry.toml:7:8 defaults.mode",
      "agentry.toml:9:10 agents.ops.tools[0]",
      "more.toml:2:13 agents.two.max_turns",
    ]);
    expect(issues[0]).toMatchObject({ expected: 'one of "readonly", "ask", "auto"', found: '"sometimes"' });
  });

  test("unknown keys carry the allowed keys and a suggestion", async () => {
    const dir = project({ "agentry.toml": `${PROVIDER}[defaults]\nmodel = "openai/m"\nmax_turn = 3\n` });
    const [issue] = await issuesOf(dir);
    expect(issue).toMatchObject({ path: "defaults.max_turn", line: 6, column: 1, suggestion: "max_turns" });
    expect(issue?.expected).toContain("max_turns");
  });

  test("two tool entries the model would see under one name are an error (agent:x and a tool agent_x)", async () => {
    const dir = project({
      "agentry.toml": `${PROVIDER}[defaults]\nmodel = "openai/m"\n[tools.agent_helper]\nkind = "shell"\n[tools.sh]\nkind = "shell"\n[agents.helper]\ninstructions = "x"\n[agents.ops]\ntools = ["agent:helper", "sh", "agent_helper", "sh"]\n`,
    });
    const issues = await issuesOf(dir);
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      [
        "agents.ops.tools[2]",
        '"agent:helper" and "agent_helper" would both be offered to the model as "agent_helper"',
      ],
      ["agents.ops.tools[3]", 'tool "sh" is listed twice'],
    ]);
  });

  test("duplicates across files name both places", async () => {
    const dir = project({
      "agentry.toml": `include = ["a.toml"]\n${PROVIDER}[defaults]\nmodel = "openai/m"\n[agents.ops]\ninstructions = "x"\n`,
      "a.toml": '\n[agents.ops]\ninstructions = "y"\n',
    });
    const [issue] = await issuesOf(dir);
    expect(issue).toMatchObject({ file: "a.toml", line: 2, column: 9, path: "agents.ops" });
    expect(issue?.message).toContain("already defined at agentry.toml:7:9");
  });

  test("include cycles name the cycle; a file included twice without a cycle is read once", async () => {
    const cyclic = project({
      "agentry.toml": 'include = ["b.toml"]\n',
      "b.toml": 'include = ["agentry.toml"]\n',
    });
    const [issue] = await issuesOf(cyclic);
    expect(issue?.message).toBe("include cycle: agentry.toml → b.toml → agentry.toml");
    const diamond = project({
      "agentry.toml": `include = ["a.toml", "b.toml"]\n${PROVIDER}[defaults]\nmodel = "openai/m"\n`,
      "a.toml": 'include = ["c.toml"]\n',
      "b.toml": 'include = ["c.toml"]\n',
      "c.toml": '[agents.shared]\ninstructions = "x"\n',
    });
    const loaded = await loadConfig("agentry.toml", { cwd: diamond });
    expect(loaded.files.map((f) => f.slice(diamond.length + 1))).toEqual([
      "agentry.toml",
      "a.toml",
      "c.toml",
      "b.toml",
    ]);
  });

  test("a missing main file is a ConfigError naming it", async () => {
    const dir = project({});
    const [issue] = await issuesOf(dir, "gone.toml");
    expect(issue).toMatchObject({
      file: "gone.toml",
      message: "cannot read configuration file: file not found",
    });
  });

  test("files outside cwd are shown absolute", async () => {
    const dir = project({ "agentry.toml": "[defaults]\nmax_turns = -1\n" });
    const [issue] = await issuesOf(join(dir, "sub-that-does-not-matter"), join(dir, "agentry.toml"));
    expect(issue?.file).toBe(join(dir, "agentry.toml"));
  });

  test("secret values never appear in issues", async () => {
    const dir = project({
      "agentry.toml":
        '[providers.x]\nkind = "openai"\napi_key = ["sk-TOPSECRET"]\nheaders = { Authorization = "sk-TOPSECRET ${" }\n',
    });
    const issues = await issuesOf(dir);
    expect(issues.length).toBe(2);
    expect(JSON.stringify(issues)).not.toContain("TOPSECRET");
  });

  test("the example configurations in configs/ validate", async () => {
    const configs = join(import.meta.dir, "../../configs");
    for (const file of ["full.toml", "providers.toml", "multi-agent/agentry.toml"]) {
      const loaded = await loadConfig(join(configs, file), { cwd: configs, env: {} });
      expect(Object.keys(loaded.config.agents ?? {}).length).toBeGreaterThan(0);
    }
  });
});

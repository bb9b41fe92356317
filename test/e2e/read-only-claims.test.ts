import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockDefaultsToml, parseNdjson, type Workspace } from "../support/workspace.ts";

/**
 * `read_only` is the operator's claim that a tool only reads, so `mode = "readonly"` may run it.
 * Only shell and http tools take it. On an agent or delegate tool it cannot be honoured (the
 * sub-agent's tools write whatever the parent says), and on a file tool `write` decides: there the
 * key is a configuration error (exit 2) naming the file and key path, never accepted and ignored.
 */

const fx = e2eFixture();

const AGENT_MESSAGE =
  'tools.helper.read_only: a tool of kind "agent" takes no read_only key: the sub-agent it runs uses its own tools, which may write whatever the key says, so agentry always treats the tool as read-write (mode = "readonly" never runs it)';

/**
 * A workspace whose agent `ops` runs in readonly mode with `tools` (TOML) listed as `names`;
 * `head` goes before every table (`include = [...]`).
 */
async function readonlyAgent(tools: string, names: string[], head = ""): Promise<Workspace> {
  const mock = await fx.mock([{ text: "done" }]);
  return fx.workspace(`${head}
${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${tools}

[agents.ops]
tools = ${JSON.stringify(names)}
mode = "readonly"

[agents.child]
tools = ["sh"]

[tools.sh]
kind = "shell"
`);
}

describe("read_only where it cannot be honoured is a configuration error (compiled binary)", () => {
  const helper = `[tools.helper]\nkind = "agent"\nagent = "child"\nread_only = true`;

  for (const args of [
    ["run", "ops", "hi"],
    ["doctor"],
    ["tools"],
    ["tools", "ops", "--json"],
    ["validate"],
  ]) {
    test(`agentry ${args.join(" ")}: exit 2, the file, line, key path, reason and hint on stderr, nothing run`, async () => {
      const workspace = await readonlyAgent(helper, ["helper"]);
      const result = await runBinary([...args, "-c", workspace.configPath], {
        cwd: workspace.dir,
        env: { AGENTRY_STATE_DIR: workspace.stateDir },
      });
      expect(result.code).toBe(2);
      if (args[0] === "doctor") expect(result.stdout).toContain("FAIL  configuration agentry.toml");
      else expect(result.stdout).toBe("");
      expect(result.stderr).toContain("error: configuration has 1 problem");
      const line = readFileSync(workspace.configPath, "utf8").split("\n").indexOf("read_only = true") + 1;
      expect(result.stderr).toContain(`agentry.toml:${line}:1: ${AGENT_MESSAGE}`);
      expect(result.stderr).toContain(
        'expected no read_only key (to keep the sub-agent from writing, give agent "child" mode = "readonly" or only read-only tools), found read_only = true',
      );
      expect(fx.provider.requests).toHaveLength(0);
    });
  }

  test("delegate and file tools, with either value, in the main file or an included one", async () => {
    const workspace = await readonlyAgent(
      `[tools.handoff]\nkind = "delegate"\nread_only = false`,
      ["handoff", "files"],
      'include = ["more/*.toml"]',
    );
    mkdirSync(join(workspace.dir, "more"));
    workspace.write(
      "more/files.toml",
      `[tools.files]\nkind = "file"\nroot = ".."\nwrite = true\nread_only = true\n`,
    );
    const result = await runBinary(["run", "-c", workspace.configPath, "ops", "hi"], {
      cwd: workspace.dir,
      env: { AGENTRY_STATE_DIR: workspace.stateDir },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: configuration has 2 problems");
    expect(result.stderr).toContain(
      'tools.handoff.read_only: a tool of kind "delegate" takes no read_only key: its sub-agents use the tools of the agent that delegates',
    );
    expect(result.stderr).toContain("found read_only = false");
    expect(result.stderr).toContain(
      'more/files.toml:5:1: tools.files.read_only: a tool of kind "file" takes no read_only key: the write key decides it (a file tool is read-only unless write = true)',
    );
    expect(fx.provider.requests).toHaveLength(0);
  });
});

describe("what agentry tools calls read-only is what readonly mode runs (compiled binary)", () => {
  test("every kind: rows flagged read-only run, rows flagged read-write are refused by readonly mode", async () => {
    const names = [
      "sh_ro",
      "sh_rw",
      "web_get",
      "web_post",
      "web_claimed",
      "files",
      "wfiles",
      "helper",
      "handoff",
    ];
    const calls: Record<string, Record<string, unknown>> = {
      sh_ro: { command: "true" },
      sh_rw: { command: "true" },
      web_get: { url: "http://127.0.0.1:9/" },
      web_post: { url: "http://127.0.0.1:9/" },
      web_claimed: { url: "http://127.0.0.1:9/" },
      files: { op: "list", path: "." },
      wfiles: { op: "list", path: "." },
      helper: { task: "look" },
      handoff: { goal: "look" },
    };
    const mock = await fx.mock([
      { toolCalls: names.map((name) => ({ id: `c_${name}`, name, arguments: calls[name] ?? {} })) },
      { text: "done" },
    ]);
    const ws = fx.workspace(`${mockDefaultsToml(mock.baseUrls.openai, "ops")}
[tools.sh_ro]
kind = "shell"
read_only = true

[tools.sh_rw]
kind = "shell"

[tools.web_get]
kind = "http"
methods = ["GET"]

[tools.web_post]
kind = "http"

[tools.web_claimed]
kind = "http"
read_only = true

[tools.files]
kind = "file"
root = "."

[tools.wfiles]
kind = "file"
root = "."
write = true

[tools.helper]
kind = "agent"
agent = "child"

[tools.handoff]
kind = "delegate"

[agents.ops]
tools = ${JSON.stringify(names)}
mode = "readonly"

[agents.child]
`);
    const env = { AGENTRY_STATE_DIR: ws.stateDir };
    const listed = await runBinary(["tools", "ops", "--json", "-c", ws.configPath], { cwd: ws.dir, env });
    expect(listed.code).toBe(0);
    const flags = Object.fromEntries(
      (JSON.parse(listed.stdout) as { name: string; read_only: boolean }[]).map((row) => [
        row.name,
        row.read_only,
      ]),
    );
    expect(flags).toEqual({
      sh_ro: true,
      sh_rw: false,
      web_get: true,
      web_post: false,
      web_claimed: true,
      files: true,
      wfiles: false,
      helper: false,
      handoff: false,
    });

    const run = await runBinary(["run", "--output", "ndjson", "-c", ws.configPath, "ops", "go"], {
      cwd: ws.dir,
      env,
    });
    expect(run.code).toBe(0);
    const refusedByMode = Object.fromEntries(
      parseNdjson(run.stdout)
        .filter((event) => event["type"] === "tool_result")
        .map((event) => [
          String(event["name"]),
          event["stopped_by"] === "approval" && String(event["error"]).includes("runs in readonly mode"),
        ]),
    );
    expect(refusedByMode).toEqual(Object.fromEntries(names.map((name) => [name, !flags[name]])));
  });
});

describe("doctor warns about read_only claims nothing backs (compiled binary)", () => {
  test("a shell tool without an allow list or read-only sandbox, an http tool allowing writes", async () => {
    const mock = await fx.mock([{ text: "done" }]);
    const ws = fx.workspace(`${mockDefaultsToml(mock.baseUrls.openai, "ops")}
[tools.sh_open]
kind = "shell"
read_only = true

[tools.sh_listed]
kind = "shell"
allow = ["ls *"]
read_only = true

[tools.sh_sandboxed]
kind = "shell"
sandbox = "read-only"
read_only = true

[tools.sh_unclaimed]
kind = "shell"

[tools.web_any]
kind = "http"
read_only = true

[tools.web_post]
kind = "http"
methods = ["GET", "POST"]
read_only = true

[tools.web_get]
kind = "http"
methods = ["GET", "HEAD"]
read_only = true

[agents.ops]
`);
    const result = await runBinary(["doctor", "-c", ws.configPath], {
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir },
    });
    expect(result.code).toBe(0);
    const warnings = result.stdout.split("\n").filter((line) => line.startsWith("warn"));
    expect(warnings).toEqual([
      'warn  tools.sh_open: read_only = true without an allow list or sandbox = "read-only": readonly mode runs any command given to it, writes included; allow only programs that read, or add sandbox = "read-only"',
      "warn  tools.web_any: read_only = true while methods allow POST, PUT, PATCH, DELETE: readonly mode lets the model send them; list only GET and HEAD in methods, or drop read_only",
      "warn  tools.web_post: read_only = true while methods allow POST: readonly mode lets the model send them; list only GET and HEAD in methods, or drop read_only",
    ]);
  });
});

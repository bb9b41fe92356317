import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agentry-tools-cmd-"));
  mkdirSync(join(dir, "data"));
  writeFileSync(
    join(dir, "agentry.toml"),
    `[defaults]
agent = "ops"
model = "mock/m"

[providers.mock]
kind = "openai-compatible"
base_url = "http://127.0.0.1:9/v1"

[tools.sh]
kind = "shell"
allow = ["git *"]

[tools.web]
kind = "http"
methods = ["GET"]
allow_hosts = ["api.github.com"]
headers = { Authorization = "Bearer $\{GH_TOKEN}" }

[tools.files]
kind = "file"
root = "${join(dir, "data")}"

[tools.helper]
kind = "delegate"

[agents.ops]
description = "Investigates"
tools = ["sh", "web", "agent:researcher", "helper"]

[agents.researcher]
description = "Finds things out"
tools = ["files"]
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Listing {
  name: string;
  kind: string;
  read_only: boolean;
  description: string;
  parameters: { properties?: Record<string, { enum?: string[] }>; required?: string[] } | null;
}

describe("agentry tools (compiled binary)", () => {
  test("--json lists one agent's tools with kinds, read-only flags and schemas", async () => {
    const result = await runBinary(["tools", "ops", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const tools = JSON.parse(result.stdout) as Listing[];
    expect(tools.map((t) => [t.name, t.kind, t.read_only])).toEqual([
      ["sh", "shell", false],
      ["web", "http", true],
      ["agent_researcher", "agent", false],
      ["helper", "delegate", false],
    ]);
    expect(tools[0]?.parameters?.required).toEqual(["command"]);
    expect(tools[0]?.description).toContain("git *");
    expect(tools[1]?.parameters?.properties?.["method"]?.enum).toEqual(["GET"]);
    expect(tools[2]?.parameters?.required).toEqual(["task"]);
    expect(tools[2]?.description).toBe(
      'Delegate a task to the "researcher" agent: Finds things out. It works on its own and returns its final answer.',
    );
    expect(tools[3]?.description).toContain("It can use: sh, web, agent_researcher.");
    expect(tools[3]?.parameters?.required).toEqual(["goal"]);
  });

  test("without an agent every configured tool is listed, as text, with -c naming the file", async () => {
    const result = await runBinary(["tools", "-c", join(dir, "agentry.toml")], { cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("sh  (shell, read-write)");
    expect(result.stdout).toContain("files  (file, read-only)");
    expect(result.stdout).toContain('"required": [');
    expect(result.stdout).toContain("helper  (delegate, read-write)");
  });

  test("secret header values are never resolved or printed", async () => {
    const result = await runBinary(["tools", "--json"], {
      cwd: dir,
      env: { GH_TOKEN: "ghp_supersecretvalue" },
    });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain("ghp_supersecretvalue");
  });

  test("an unknown agent is a usage error (exit 2) on stderr", async () => {
    const result = await runBinary(["tools", "nope"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('unknown agent "nope" (agents: ops, researcher)');
  });
});

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { snippetLoader } from "../support/config-text.ts";

const loader = snippetLoader("config-mcp-");
const { root, load } = loader;
afterAll(() => loader.remove());

describe("[mcp.<name>] configuration", () => {
  test("a stdio and an HTTP server with every key load; durations and sizes are converted; cwd is absolute", async () => {
    const { config, issues } = await load(`
[mcp.fs]
command = "fs-server"
args = ["--root", "."]
env = ["PATH"]
set_env = { LEVEL = "debug" }
cwd = "sub"
required = true
startup_timeout = "5s"
tool_timeout = "30s"
max_output = "8KiB"
enabled_tools = ["read_*"]
disabled_tools = ["read_secret"]

[mcp.fs.policy]
approval = { tools = ["mcp__fs__*"], deny = ["mcp__fs__read_secret"] }

[mcp.web]
url = "https://mcp.example.com/mcp"
headers = { X-Team = "ops" }
oauth = { token_url = "https://auth.example.com/token", client_id = "ci", client_secret_env = "MCP_SECRET", scopes = ["read"] }
enabled = false

[agents.a]
tools = ["mcp:fs", "mcp:web/search"]
`);
    expect(issues).toEqual([]);
    expect(config?.mcp?.["fs"]?.startup_timeout).toBe(5000);
    expect(config?.mcp?.["fs"]?.max_output).toBe(8192);
    expect(config?.mcp?.["fs"]?.cwd).toBe(join(root, "sub"));
  });

  test("every problem is reported: both transports, keys of the other transport, bad URL, unknown server, unknown keys", async () => {
    const { issues } = await load(`
[mcp.both]
command = "x"
url = "https://x"

[mcp.neither]
required = true

[mcp.stdio]
command = "x"
headers = { A = "b" }

[mcp.http]
url = "ftp://x"
cwd = "."

[mcp.typo]
command = "x"
startup_timout = "1s"

[tools.mcp__fake__echo]
kind = "file"
root = "."

[agents.a]
tools = ["mcp:stdo"]
`);
    const paths = issues.map((issue) => `${issue.path}: ${issue.message}`);
    expect(paths).toContainEqual(
      expect.stringContaining("mcp.both: an MCP server needs exactly one of command"),
    );
    expect(paths).toContainEqual(
      expect.stringContaining("mcp.neither: an MCP server needs exactly one of command"),
    );
    expect(paths).toContainEqual(
      expect.stringContaining("mcp.stdio.headers: headers applies only to HTTP servers"),
    );
    expect(paths).toContainEqual(expect.stringContaining("mcp.http.cwd: cwd applies only to stdio servers"));
    expect(paths).toContainEqual(expect.stringContaining("mcp.http.url: invalid URL"));
    expect(paths).toContainEqual(expect.stringContaining("startup_timout"));
    expect(paths).toContainEqual(
      expect.stringContaining('tools.mcp__fake__echo: tool names starting with "mcp__" are reserved'),
    );
    const unknown = issues.find((issue) => issue.path === "agents.a.tools[0]");
    expect(unknown?.message).toBe('unknown MCP server "stdo"');
    expect(unknown?.suggestion).toBe("mcp:stdio");
  });

  test("approval patterns may name MCP tools of declared servers, not of unknown ones", async () => {
    const { issues } = await load(`
[mcp.gh]
command = "x"

[agents.a]
tools = ["mcp:gh"]

[agents.a.policy]
approval = { tools = ["mcp__gh__*", "mcp__*"], deny = ["mcp__gh__delete_repo", "mcp__nope__x"] }
`);
    expect(issues.map((issue) => issue.path)).toEqual(["agents.a.policy.approval.deny[1]"]);
  });
});

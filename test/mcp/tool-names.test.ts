import { describe, expect, test } from "bun:test";
import {
  ambiguousServerName,
  MAX_MCP_SERVER_NAME,
  mcpServerOfToolName,
  mcpServersOf,
  parseMcpEntry,
} from "../../src/mcp/entries.ts";
import { MAX_TOOL_NAME, mcpToolName, uniqueMcpToolName } from "../../src/mcp/tool-names.ts";

describe("MCP tool names", () => {
  test("mcp__<server>__<tool>, characters outside [a-zA-Z0-9_-] replaced", () => {
    expect(mcpToolName("github", "create_issue")).toBe("mcp__github__create_issue");
    expect(mcpToolName("fs", "read.file/v2 ü")).toBe("mcp__fs__read_file_v2__");
  });

  test("names over 64 characters are cut and get a stable 8-hex hash suffix", () => {
    const long = "x".repeat(80);
    const name = mcpToolName("srv", long);
    expect(name).toHaveLength(MAX_TOOL_NAME);
    expect(name).toMatch(/^mcp__srv__x+_[0-9a-f]{8}$/);
    expect(mcpToolName("srv", long)).toBe(name);
    expect(mcpToolName("srv", `${long}y`)).not.toBe(name);
    expect(mcpToolName("srv", `${long}y`).slice(0, 55)).toBe(name.slice(0, 55));
  });

  test("a name that only differs in replaced characters is made unique with the hash", () => {
    const taken = new Set([mcpToolName("srv", "a_b")]);
    const second = uniqueMcpToolName("srv", "a.b", taken);
    expect(second).not.toBe("mcp__srv__a_b");
    expect(second).toMatch(/^mcp__srv__a_b_[0-9a-f]{8}$/);
    expect(uniqueMcpToolName("srv", "a.b", taken)).toBe(second);
  });
});

describe("mcp: entries of an agent's tools", () => {
  test("a whole server or a tool glob of it", () => {
    expect(parseMcpEntry("mcp:github")).toEqual({ server: "github" });
    expect(parseMcpEntry("mcp:github/list_*")).toEqual({ server: "github", tool: "list_*" });
    expect(parseMcpEntry("mcp:fs/dir/read")).toEqual({ server: "fs", tool: "dir/read" });
    expect(parseMcpEntry("sh")).toBeUndefined();
    expect(mcpServersOf(["sh", "mcp:a", "mcp:b/x", "mcp:a/y"])).toEqual(["a", "b"]);
  });
});

describe("server names the configuration accepts keep tool names unambiguous", () => {
  test("a cut tool name keeps mcp__<server>__ for every accepted server name; longer names are refused", () => {
    const tool = "t".repeat(80);
    for (let length = 1; length <= MAX_MCP_SERVER_NAME; length++) {
      const server = "s".repeat(length);
      expect(ambiguousServerName(server)).toBeUndefined();
      expect(mcpToolName(server, tool).startsWith(`mcp__${server}__`)).toBe(true);
    }
    expect(ambiguousServerName("s".repeat(MAX_MCP_SERVER_NAME + 1))).toContain("longer than");
    const cutInside = "s".repeat(MAX_MCP_SERVER_NAME + 2);
    expect(mcpToolName(cutInside, tool).startsWith(`mcp__${cutInside}__`)).toBe(false);
  });

  test("'__' inside or '_' at the end of a server name is refused; other names pass", () => {
    expect(ambiguousServerName("docs__admin")).toContain('contains "__"');
    expect(ambiguousServerName("docs_")).toContain('ends with "_"');
    for (const name of ["docs", "docs_admin", "_docs", "docs-1", "a_b-c"])
      expect(ambiguousServerName(name)).toBeUndefined();
  });
});

describe("the server of a tool name (review 9b: a server policy follows the name, not the tool object)", () => {
  test("every accepted server name is read back from each of its tools' names, cut ones included", () => {
    const tools = ["echo", "a__b", "_x", "t".repeat(80), "dots.and spaces"];
    for (const server of [
      "docs",
      "docs_admin",
      "_docs",
      "docs-1",
      "a_b-c",
      "s".repeat(MAX_MCP_SERVER_NAME),
    ]) {
      for (const tool of tools) expect(mcpServerOfToolName(mcpToolName(server, tool))).toBe(server);
    }
  });

  test("names of other forms have no server", () => {
    for (const name of ["sh", "agent_helper", "mcp_docs__x", "mcp__docs", "mcp____x"])
      expect(mcpServerOfToolName(name)).toBeUndefined();
  });
});

import { describe, expect, test } from "bun:test";
import { capText, toToolResult } from "../../src/mcp/call-result.ts";
import { toolEnabled } from "../../src/mcp/server-pool.ts";

describe("MCP call results as tool results", () => {
  test("text to the model; image, audio, links and embedded resources summarised by type and size", () => {
    const result = toToolResult({
      content: [
        { type: "text", text: "first" },
        { type: "image", data: "AAAA", mimeType: "image/png" },
        { type: "audio", data: "AAAAAA==", mimeType: "audio/wav" },
        { type: "resource_link", uri: "file:///x.txt", name: "x" },
        { type: "resource", resource: { uri: "file:///y", mimeType: "text/plain", text: "hello" } },
        { type: "text", text: "last" },
      ],
    });
    expect(result).toEqual({
      ok: true,
      output: [
        "first",
        "[image content: image/png, 3 bytes, not shown]",
        "[audio content: audio/wav, 4 bytes, not shown]",
        "[resource link: file:///x.txt]",
        "[embedded resource: file:///y, text/plain, 5 bytes, not shown]",
        "last",
      ].join("\n"),
      meta: { blocks: 6 },
    });
  });

  test("isError is a tool error whose output is the server's text; structured content stands in for missing content", () => {
    expect(toToolResult({ content: [{ type: "text", text: "boom" }], isError: true })).toMatchObject({
      ok: false,
      output: "boom",
      error: "the MCP tool reported an error",
    });
    expect(toToolResult({ content: [], isError: true })).toMatchObject({
      ok: false,
      output: "",
      error: "the MCP tool reported an error without a message",
    });
    expect(toToolResult({ content: [], structuredContent: { n: 1 } }).output).toBe('{"n":1}');
  });

  test("max_output caps the text on a character boundary", () => {
    expect(capText("ééé", 3)).toBe("é\n[output truncated: 4 more bytes]");
    expect(capText("short", 10)).toBe("short");
  });

  test("enabled_tools and disabled_tools are globs; disabled wins", () => {
    const config = { enabled_tools: ["list_*", "get"], disabled_tools: ["list_secrets"] };
    expect(toolEnabled(config, "list_issues")).toBe(true);
    expect(toolEnabled(config, "get")).toBe(true);
    expect(toolEnabled(config, "list_secrets")).toBe(false);
    expect(toolEnabled(config, "delete")).toBe(false);
    expect(toolEnabled({}, "anything")).toBe(true);
  });
});

import type { CallToolResult } from "@modelcontextprotocol/client";
import type { ToolResult } from "../spec/tool.ts";

type ContentBlock = CallToolResult["content"][number];

/** Decoded size of base64 data, without decoding it. */
function base64Bytes(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

/** What the model reads of one content block: text as is, every other type as a one-line summary. */
export function describeBlock(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return `[${block.type} content: ${block.mimeType}, ${base64Bytes(block.data)} bytes, not shown]`;
    case "resource_link":
      return `[resource link: ${block.uri}${block.mimeType ? `, ${block.mimeType}` : ""}]`;
    case "resource": {
      const resource = block.resource;
      const bytes =
        "text" in resource && typeof resource.text === "string"
          ? Buffer.byteLength(resource.text)
          : "blob" in resource && typeof resource.blob === "string"
            ? base64Bytes(resource.blob)
            : 0;
      return `[embedded resource: ${resource.uri}${resource.mimeType ? `, ${resource.mimeType}` : ""}, ${bytes} bytes, not shown]`;
    }
    default:
      return `[${(block as { type: string }).type} content, not shown]`;
  }
}

/** Cuts text to `maxBytes` of UTF-8 on a character boundary, saying how much was left out. */
export function capText(text: string, maxBytes: number | undefined): string {
  if (maxBytes === undefined) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const kept = new TextDecoder("utf-8", { fatal: false })
    .decode(bytes.subarray(0, maxBytes))
    .replace(/\uFFFD$/, "");
  return `${kept}\n[output truncated: ${bytes.length - Buffer.byteLength(kept)} more bytes]`;
}

/**
 * An MCP `tools/call` result as a tool result: text blocks joined by newlines, other content types
 * summarised (type, size); with no content, the structured content as JSON. `isError` makes it a
 * tool error the model sees; the server's text stays the output, so the context-enrichment layer
 * frames it as untrusted data (a tool error's own text is not framed). The text is capped at
 * `maxOutput` bytes (the server's `max_output`).
 */
export function toToolResult(result: CallToolResult, maxOutput?: number): ToolResult {
  const parts = (result.content ?? []).map(describeBlock);
  if (parts.length === 0 && result.structuredContent !== undefined) {
    parts.push(JSON.stringify(result.structuredContent));
  }
  const text = capText(parts.join("\n"), maxOutput);
  const meta = { blocks: result.content?.length ?? 0 };
  if (result.isError) {
    return text
      ? { ok: false, output: text, error: "the MCP tool reported an error", meta }
      : { ok: false, output: "", error: "the MCP tool reported an error without a message", meta };
  }
  return { ok: true, output: text, meta };
}

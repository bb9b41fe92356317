import { sha256Hex } from "../digest/index.ts";

/** Provider tool-name rules (OpenAI's are the strictest): `^[a-zA-Z0-9_-]{1,64}$`. */
export const MAX_TOOL_NAME = 64;
const HASH_LENGTH = 8;

/** A short, stable hex digest of the server and tool names as the server spelled them. */
function shortHash(server: string, tool: string): string {
  return sha256Hex(`${server}\u0000${tool}`).slice(0, HASH_LENGTH);
}

/**
 * The name the model sees for tool `tool` of server `server`: `mcp__<server>__<tool>`, with every
 * character outside `[a-zA-Z0-9_-]` replaced by `_`. A name over 64 characters is cut to 55 and
 * gets `_` plus 8 hex digits of SHA-256 over the original names, so it is the same in every run
 * and two long names that share a prefix stay apart.
 */
export function mcpToolName(server: string, tool: string): string {
  const full = `mcp__${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (full.length <= MAX_TOOL_NAME) return full;
  return `${full.slice(0, MAX_TOOL_NAME - HASH_LENGTH - 1)}_${shortHash(server, tool)}`;
}

/**
 * The same name made unique against names already taken: two tools whose names differ only in
 * replaced characters (`a.b`, `a_b`) would collide, so the later one gets the hash suffix.
 */
export function uniqueMcpToolName(server: string, tool: string, taken: ReadonlySet<string>): string {
  const name = mcpToolName(server, tool);
  if (!taken.has(name)) return name;
  const base = name.slice(0, MAX_TOOL_NAME - HASH_LENGTH - 1);
  return `${base}_${shortHash(server, tool)}`;
}

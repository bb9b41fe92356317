import type { ToolResult } from "../spec/tool.ts";

/**
 * A refused or failed call, phrased for the model. `output` may carry what the tool produced before
 * failing (a command's output before a non-zero exit) so the model can act on it.
 */
export function toolError(error: string, meta?: Record<string, unknown>, output = ""): ToolResult {
  return meta ? { ok: false, output, error, meta } : { ok: false, output, error };
}

/** Replaces every secret value in `text` with `[secret]`, longest first so overlaps cannot leak a suffix. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) result = result.split(secret).join("[secret]");
  }
  return result;
}

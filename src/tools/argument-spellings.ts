import type { ArgumentPatternVerdict } from "../spec/tool.ts";
import { compileCommandGlob } from "./shell/command-glob.ts";

/**
 * Approval `tool:argglob` patterns for tools whose target can be spelled many ways: a file path
 * (`docs/../.env`, `./.env`, an absolute path, a symlink) or a URL (`HTTPS://API.Example.com:443`).
 * `written` is the text as the model wrote it (`op path`, `METHOD url`); `canonical` the forms
 * of what the tool will really reach (undefined when the tool will refuse the call anyway).
 * `any` (a `deny` pattern) matches when a glob matches any spelling, the written one included;
 * `every` (an `except` pattern, which skips the human) only when a glob matches a canonical form,
 * so `read docs/../.env` is not exempted by `read docs/*`.
 */
export function matchSpellings(
  globs: readonly string[],
  written: string,
  canonical: readonly string[] | undefined,
  mode: "any" | "every",
): ArgumentPatternVerdict {
  const texts = mode === "any" ? [written, ...(canonical ?? [])] : (canonical ?? []);
  for (const glob of globs) {
    const compiled = compileCommandGlob(glob);
    if (texts.some((text) => compiled.matches(text))) return { kind: "match", glob };
  }
  return { kind: "no_match" };
}

import { delimiter, isAbsolute, join } from "node:path";
import { isExecutableFile } from "../process/executable-file.ts";
import { isWithin, locate } from "./sandbox-policy.ts";

/**
 * Finds the sandbox launcher (`bwrap`) in agentry's own PATH, once, before anything ran in the
 * sandbox. Relative PATH entries are skipped, and a launcher whose real location lies inside one of
 * the sandbox's writable roots is refused: a sandboxed command could otherwise replace the
 * launcher that confines the next one. Returns the real path, or why none can be used.
 */
export function findLauncher(
  name: string,
  path: string | undefined,
  writable: readonly string[],
): { ok: true; file: string } | { ok: false; reason: string } {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (!isExecutableFile(candidate)) continue;
    const real = locate(candidate)?.real ?? candidate;
    const root = writable.find((dirPath) => isWithin(real, dirPath));
    if (root !== undefined) {
      return {
        ok: false,
        reason: `${real} lies inside the writable path ${root}, so a sandboxed command could replace it`,
      };
    }
    return { ok: true, file: real };
  }
  return {
    ok: false,
    reason: `${name} was not found in PATH (install bubblewrap, e.g. apt-get install bubblewrap)`,
  };
}

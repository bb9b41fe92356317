import { delimiter, isAbsolute, join, resolve } from "node:path";
import { isExecutableFile } from "../../process/executable-file.ts";

/**
 * Finds the program to run. The child's environment may lack PATH (it is emptied unless listed),
 * so lookup uses the child's PATH when it has one, else agentry's own. A name containing a slash
 * is taken relative to `cwd`. PATH entries that are empty or relative (`.`, `bin`) are skipped:
 * they would name the working directory, where the model may have written a file, and an allow
 * rule for `ls *` would then run it. Returns undefined when nothing executable is found.
 */
export function resolveExecutable(
  name: string,
  childPath: string | undefined,
  cwd: string | undefined,
): string | undefined {
  if (name.includes("/") || (process.platform === "win32" && name.includes("\\"))) {
    const path = isAbsolute(name) ? name : resolve(cwd ?? process.cwd(), name);
    return isExecutableFile(path) ? path : undefined;
  }
  const search = childPath ?? process.env["PATH"] ?? "";
  const extensions = process.platform === "win32" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const dir of search.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

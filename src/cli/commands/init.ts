import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import starter from "../../config/starter-config.txt" with { type: "text" };
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";

/**
 * `agentry init [file] [--force]`: writes a commented starter configuration (providers, shell,
 * http and file tools, one agent with a policy) that passes `agentry validate`. Missing parent
 * directories are created. Refuses to overwrite an existing file unless `--force`; a path that
 * cannot be written is a usage error naming the reason (exit 2).
 */
export default async function initCommand(
  file: string,
  options: CommonOptions & { force?: boolean },
): Promise<ExitCodeValue> {
  const path = resolve(process.cwd(), file);
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${file} already exists`, { hint: "pass --force to overwrite it" });
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, starter);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${file}: ${code ?? (err as Error).message}`, {
      hint:
        code === "ENOTDIR" ? "a parent of that path is a file, not a directory" : "choose a writable path",
    });
  }
  if (!options.quiet) writeInfo(`wrote ${file}; check it with \`agentry validate -c ${file}\``);
  return ExitCode.ok;
}

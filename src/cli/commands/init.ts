import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import starter from "../../config/starter-config.txt" with { type: "text" };
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";

/**
 * `agentry init [file] [--force]`: writes a commented starter configuration (providers, shell,
 * http and file tools, one agent with a policy) that passes `agentry validate`. Refuses to
 * overwrite an existing file unless `--force` (exit 2).
 */
export default async function initCommand(
  file: string,
  options: CommonOptions & { force?: boolean },
): Promise<ExitCodeValue> {
  const path = resolve(process.cwd(), file);
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${file} already exists`, { hint: "pass --force to overwrite it" });
  }
  writeFileSync(path, starter);
  if (!options.quiet) writeInfo(`wrote ${file}; check it with \`agentry validate -c ${file}\``);
  return ExitCode.ok;
}

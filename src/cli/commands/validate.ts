import { loadConfig } from "../../config/loader.ts";
import { displayPath } from "../../config/source-files.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { findConfigPath } from "../config-path.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * `agentry validate`: loads the configuration and prints a one-line summary on stdout. Problems
 * propagate as a `ConfigError`, which main renders (every issue) on stderr with exit 2.
 */
export default async function validateCommand(options: CommonOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const path = findConfigPath(options.config, cwd);
  const { config } = await loadConfig(path, { cwd });
  const size = (table: object | undefined) => Object.keys(table ?? {}).length;
  const shown = displayPath(path, cwd);
  writeAnswer(
    `ok: ${shown}: ${count(size(config.agents), "agent")}, ${count(size(config.tools), "tool")}, ` +
      `${count(size(config.providers), "provider")}, ${count(size(config.flows), "flow")}, ` +
      `${count(size(config.schedules), "schedule")}\n`,
  );
  return ExitCode.ok;
}

import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { describeConfigSource, loadCliConfig } from "../cli-config.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * `agentry validate`: loads the configuration and prints a one-line summary on stdout naming the
 * file it used and how it was found (`-c`, `AGENTRY_CONFIG`, `./agentry.toml`, the user file), or
 * that no file was found and zero-config mode applies (providers, model and tools it resolved).
 * Problems propagate as a `ConfigError`, which main renders (every issue) on stderr with exit 2.
 */
export default async function validateCommand(options: CommonOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const { loaded, source } = await loadCliConfig(
    { ...(options.config ? { config: options.config } : {}) },
    cwd,
  );
  const { config } = loaded;
  const size = (table: object | undefined) => Object.keys(table ?? {}).length;
  writeAnswer(
    `ok: ${describeConfigSource(source, cwd)}: ${count(size(config.agents), "agent")}, ${count(size(config.tools), "tool")}, ` +
      `${count(size(config.providers), "provider")}, ${count(size(config.flows), "flow")}, ` +
      `${count(size(config.schedules), "schedule")}\n`,
  );
  return ExitCode.ok;
}

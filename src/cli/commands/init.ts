import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import starter from "../../config/starter-config.txt" with { type: "text" };
import { parseToolKinds, planZeroConfig, zeroConfigToml } from "../../config/zero-config/zero-config-toml.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";

/** Options of `agentry init`. */
export interface InitOptions extends CommonOptions {
  force?: boolean;
  fromEnv?: boolean;
  model?: string;
  tools?: string[];
}

/**
 * `agentry init [file] [--force]`: writes a commented starter configuration (providers, shell,
 * http and file tools, one agent with a policy) that passes `agentry validate`. With
 * `--from-env` it writes instead what a run without a configuration file would use (providers
 * from the environment, `--model`/`AGENTRY_MODEL`, `--tools`), keys as `${VAR}` references,
 * never their values; `-` as the file prints it to stdout. Missing parent directories are
 * created. Refuses to overwrite an existing file unless `--force`; a path that cannot be written
 * is a usage error naming the reason (exit 2).
 */
export default async function initCommand(file: string, options: InitOptions): Promise<ExitCodeValue> {
  if (!options.fromEnv && (options.model !== undefined || (options.tools ?? []).length > 0)) {
    throw new UsageError("--model and --tools apply to init --from-env", {
      hint: "agentry init --from-env --model openai/gpt-4.1-mini --tools file",
    });
  }
  const text = options.fromEnv
    ? zeroConfigToml(
        planZeroConfig({
          env: process.env,
          model: options.model,
          tools: parseToolKinds(options.tools ?? []),
        }),
      )
    : starter;
  if (file === "-") {
    writeAnswer(text);
    return ExitCode.ok;
  }
  const path = resolve(process.cwd(), file);
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${file} already exists`, { hint: "pass --force to overwrite it" });
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
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

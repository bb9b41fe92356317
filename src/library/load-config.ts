import { resolve } from "node:path";
import { type LoadedConfig, type LoadOptions, loadConfig as loadConfigFile } from "../config/loader.ts";

/** Options of the library's `loadConfig`. */
export interface LibraryLoadOptions extends Omit<LoadOptions, "text"> {
  /**
   * The tools you will pass to `createRuntime(loaded, { tools })`: agents may list them by name
   * without a `[tools.*]` table. Only the names are read here.
   */
  tools?: readonly { name: string }[];
}

/** Options of `loadConfigText`. */
export interface LoadTextOptions extends LibraryLoadOptions {
  /**
   * Directory that relative paths and `include` globs in the text are relative to.
   * Default: `cwd`, else `process.cwd()`.
   */
  baseDir?: string;
  /** Name shown in configuration error messages. Default `inline.toml`. */
  name?: string;
}

function loaderOptions(options: LibraryLoadOptions): LoadOptions {
  const { tools, codeTools, ...rest } = options;
  return { ...rest, codeTools: [...(codeTools ?? []), ...(tools ?? []).map((tool) => tool.name)] };
}

/**
 * Reads, validates and merges a configuration file and its includes, like the CLI does.
 * Throws `ConfigError` carrying every problem (file, line, column, key path, did-you-mean).
 * `${VAR}` references stay raw here; they are resolved from the runtime's `env` when used.
 */
export function loadConfig(path: string, options: LibraryLoadOptions = {}): Promise<LoadedConfig> {
  return loadConfigFile(path, loaderOptions(options));
}

/**
 * Loads a configuration from TOML text, for hosts that build or embed it. Validation and errors
 * are exactly those of `loadConfig`; no file is written. The result's `path` is
 * `<baseDir>/<name>`, a file that need not exist.
 */
export function loadConfigText(text: string, options: LoadTextOptions = {}): Promise<LoadedConfig> {
  const { baseDir, name, ...rest } = options;
  const cwd = rest.cwd ?? process.cwd();
  const path = resolve(cwd, baseDir ?? ".", name ?? "inline.toml");
  return loadConfigFile(path, { ...loaderOptions(rest), cwd, text });
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadedConfig, loadConfig } from "../../src/config/loader.ts";
import { ConfigError, type ConfigIssue } from "../../src/spec/errors.ts";

/** A provider and a default model, so that a snippet under test is a whole configuration. */
const BASE = '[providers.p]\nkind = "openai"\napi_key = "k"\n[defaults]\nmodel = "p/m"\n';

/** Loads configuration snippets from files in one temporary directory; `remove()` deletes it. */
export interface SnippetLoader {
  root: string;
  /** Loads `BASE` + `text`: the config, or the issues of its ConfigError. */
  load(text: string): Promise<{ config: LoadedConfig["config"] | undefined; issues: ConfigIssue[] }>;
  remove(): void;
}

/** A loader of configuration snippets; `~` is `home` (default: the temporary directory). */
export function snippetLoader(prefix: string, home?: string): SnippetLoader {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let counter = 0;
  return {
    root,
    async load(text) {
      const path = join(root, `c${counter++}.toml`);
      writeFileSync(path, BASE + text);
      try {
        return {
          config: (await loadConfig(path, { cwd: root, env: { HOME: home ?? root } })).config,
          issues: [],
        };
      } catch (err) {
        if (err instanceof ConfigError) return { config: undefined, issues: err.issues };
        throw err;
      }
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

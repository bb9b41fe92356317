/**
 * `npm run release -- --snapshot [--targets linux-x64,linux-arm64] [--out dist/release]
 * [--config .goreleaser-like.yml]`: builds signed, reproducible release archives locally (see
 * docs/RELEASE.md). Publishing is out of scope, so `--snapshot` is required. SOURCE_DATE_EPOCH
 * defaults to the last commit's time; the signing key file is named by `$AGENTRY_SIGNING_KEY`
 * (the variable the config's `sign.key_env` names).
 */

import { isAbsolute, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { formatConfigIssues } from "../src/config/format-issues.ts";
import { AgentryError, ConfigError, UsageError } from "../src/spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../src/spec/exit-codes.ts";
import { loadReleaseConfig } from "./release/config.ts";
import { runRelease } from "./release/pipeline.ts";

const ROOT = join(import.meta.dir, "..");

/** Seconds since the epoch for reproducible output: `$SOURCE_DATE_EPOCH`, else the HEAD commit time. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env, root = ROOT): number {
  const fromEnv = env["SOURCE_DATE_EPOCH"];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!/^\d+$/.test(fromEnv))
      throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds, got "${fromEnv}"`);
    return Number(fromEnv);
  }
  const git = Bun.spawnSync(["git", "log", "-1", "--format=%ct"], { cwd: root, stderr: "pipe" });
  const text = git.stdout.toString().trim();
  if (!git.success || !/^\d+$/.test(text)) {
    throw new UsageError("set SOURCE_DATE_EPOCH: there is no git commit to take the release date from");
  }
  return Number(text);
}

async function main(argv: string[]): Promise<ExitCodeValue> {
  const { values } = parseArgs({
    args: argv,
    options: {
      snapshot: { type: "boolean", default: false },
      targets: { type: "string" },
      out: { type: "string", default: "dist/release" },
      config: { type: "string", default: ".goreleaser-like.yml" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.snapshot) {
    throw new UsageError(
      "publishing is not supported: run with --snapshot to build the release locally (see docs/RELEASE.md)",
    );
  }
  const configFile = isAbsolute(values.config) ? values.config : join(ROOT, values.config);
  const config = loadReleaseConfig(configFile);
  const keyPath = process.env[config.sign.key_env];
  const outDir = isAbsolute(values.out) ? values.out : join(ROOT, values.out);
  const targets = values.targets
    ?.split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const result = await runRelease({
    root: ROOT,
    configFile,
    outDir,
    ...(targets ? { targets } : {}),
    epoch: sourceDateEpoch(),
    ...(keyPath ? { signingKeyPath: keyPath } : {}),
    log: (line) => console.error(line),
  });
  const show = (path: string): string => relative(process.cwd(), path) || ".";
  console.error(`\nagentry ${result.version} (${result.commit}) -> ${show(outDir)}`);
  for (const artifact of result.artifacts) {
    const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
    console.error(
      `  ${artifact.file}  binary ${mb(artifact.binaryBytes)}, archive ${mb(artifact.archiveBytes)}`,
    );
  }
  console.error(`  ${show(result.sbomPath)}\n  ${show(result.checksumPath)}`);
  if (result.signaturePath && result.publicKeyPath) {
    console.error(`  ${show(result.signaturePath)}\n  ${show(result.publicKeyPath)}`);
  } else {
    console.error(`  not signed: $${config.sign.key_env} is unset`);
  }
  return ExitCode.ok;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) console.error(formatConfigIssues(error.issues));
    else if (error instanceof AgentryError) {
      const reason = typeof error.data["reason"] === "string" ? `\n${error.data["reason"]}` : "";
      console.error(`release: ${error.message}${reason}`);
    } else if (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`release: ${error.message}`);
      process.exitCode = ExitCode.usage;
    } else throw error;
    if (error instanceof AgentryError) process.exitCode = error.exitCode;
  }
}

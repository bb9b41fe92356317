/**
 * The programs under comparison: agentry's own binary and one compiled binary per peer framework,
 * all built by the repo's bun with the same flags agentry's release build uses.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The repo root (three levels up from this folder). */
export const ROOT = join(import.meta.dir, "../../..");
/** This package's folder. */
export const HERE = import.meta.dir;
/** The repo's bun; there is no global one. */
export const BUN = join(ROOT, "node_modules/.bin/bun");

/** A compiled program and how to invoke it for one run (`agents` concurrent agent runs). */
export interface Program {
  name: string;
  binary: string;
  /** Package versions that make up the program, for the report. */
  versions: Record<string, string>;
  argv(agents: number): string[];
}

/** A peer that could not be built, with Bun's diagnostics. */
export interface BuildFailure {
  name: string;
  reason: string;
}

const PEERS: Record<string, string[]> = {
  "ai-sdk": ["ai", "@ai-sdk/openai-compatible", "zod"],
  langgraph: ["@langchain/langgraph", "@langchain/openai", "@langchain/core", "openai", "zod"],
  "openai-agents": ["@openai/agents", "@openai/agents-openai", "openai", "zod"],
  mastra: ["@mastra/core", "zod"],
};

function versionOf(pkg: string): string {
  const file = join(HERE, "node_modules", pkg, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** Everything the driver needs to set up agentry: its config, state dir and batch jobs file. */
export interface AgentryFiles {
  config: string;
  stateDir: string;
  jobs(agents: number): string;
}

/** Writes agentry's config for the mock and the tool root, plus a jobs-file factory. */
export function agentryFiles(dir: string, baseUrl: string, root: string, prompt: (i: number) => string) {
  const config = join(dir, "agentry.toml");
  writeFileSync(
    config,
    `[defaults]\nagent = "a"\nmodel = "mock/gpt-4.1-mini"\n\n` +
      `[providers.mock]\nkind = "openai-compatible"\nbase_url = "${baseUrl}"\nretries = 0\n\n` +
      `[tools.read]\nkind = "file"\nroot = "${root}"\n\n` +
      `[agents.a]\ntools = ["read"]\nmode = "auto"\nmax_turns = 10000\n`,
  );
  const jobs = (agents: number): string => {
    const file = join(dir, `jobs-${agents}.jsonl`);
    const lines = Array.from({ length: agents }, (_, i) =>
      JSON.stringify({ id: `j${i}`, prompt: prompt(i) }),
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  };
  return { config, stateDir: join(dir, "state"), jobs } satisfies AgentryFiles;
}

/** Builds agentry with `scripts/build.ts` into `outDir/agentry`. */
export async function buildAgentry(outDir: string, files: AgentryFiles, prompt: string): Promise<Program> {
  const binary = join(outDir, "agentry");
  const build = Bun.spawnSync([BUN, join(ROOT, "scripts/build.ts"), "--outfile", binary], { cwd: ROOT });
  if (build.exitCode !== 0) throw new Error(`agentry build failed:\n${build.stderr.toString()}`);
  const version = Bun.spawnSync([binary, "--version"]).stdout.toString().trim();
  return {
    name: "agentry",
    binary,
    versions: { agentry: version.replace(/^agentry\s+/, ""), bun: Bun.version },
    argv: (agents) =>
      agents === 1
        ? [binary, "run", "-c", files.config, "a", prompt]
        : [binary, "batch", files.jobs(agents), "--concurrency", String(agents), "-c", files.config, "-q"],
  };
}

/**
 * Compiles each peer program (`<name>.ts` here) like agentry's release build: minified, bytecode,
 * ESM, no .env or bunfig autoload. Failures are returned, not thrown.
 */
export async function buildPeers(
  outDir: string,
  baseUrl: string,
  root: string,
): Promise<{ programs: Program[]; failures: BuildFailure[] }> {
  const programs: Program[] = [];
  const failures: BuildFailure[] = [];
  for (const [name, packages] of Object.entries(PEERS)) {
    const binary = join(outDir, name);
    try {
      const result = await Bun.build({
        entrypoints: [join(HERE, `${name}.ts`)],
        compile: { outfile: binary, autoloadDotenv: false, autoloadBunfig: false },
        format: "esm",
        minify: true,
        bytecode: true,
        sourcemap: "none",
      });
      if (!result.success) throw new Error(result.logs.map((log) => String(log)).join("\n"));
    } catch (err) {
      const logs = err instanceof AggregateError ? err.errors.map((e) => String(e)).join("\n") : "";
      failures.push({ name, reason: `${err instanceof Error ? err.message : String(err)}\n${logs}`.trim() });
      continue;
    }
    const versions = Object.fromEntries(
      packages.map((p) => [p.replace("/node_modules/", " → "), versionOf(p)]),
    );
    programs.push({ name, binary, versions, argv: (agents) => [binary, baseUrl, root, String(agents)] });
  }
  return { programs, failures };
}

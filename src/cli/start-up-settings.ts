import { selfCommand } from "../process/self-command.ts";
import { TIER_UP_CONCURRENCY } from "./jit-tier-up.ts";

/** Bun keeps at most this many fetch requests in flight unless told otherwise at start-up. */
const BUN_DEFAULT_MAX_REQUESTS = 256;

/** What a command running many agents at once asks of its process. */
export interface ManyRunsOptions {
  /**
   * Whether JavaScriptCore's top JIT tier (FTL) may compile. Benchmark-driven (issue 13,
   * `scripts/bench/batch.ts`, 500 agents × 10 tool calls): `batch` turns it off from
   * TIER_UP_CONCURRENCY runs, because its ≈ 15 FTL compiles of short-lived glue code cost the JIT
   * thread more than the faster code gives back in one batch (CPU of the whole run 1.67–1.92 →
   * 1.36–1.64 s in four alternating pairs, peak RSS 3–4 MB lower; docs/BENCHMARKS.md). A
   * long-lived `worker` keeps it: there the compiles are paid once for hours of runs.
   */
  ftl: boolean;
}

/**
 * The environment variables a process about to run `concurrency` agents at once should have had
 * when it started, which Bun and JavaScriptCore read only then: `BUN_CONFIG_MAX_HTTP_REQUESTS`
 * raised above Bun's 256 when more than half of it could be in flight, and `BUN_JSC_useFTLJIT=0`
 * (see `ManyRunsOptions.ftl`). A variable `env` already sets is left to the user.
 */
export function startUpSettingsFor(
  concurrency: number,
  options: ManyRunsOptions,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const wanted: Record<string, string> = {};
  if (concurrency > BUN_DEFAULT_MAX_REQUESTS / 2 && !env["BUN_CONFIG_MAX_HTTP_REQUESTS"]) {
    wanted["BUN_CONFIG_MAX_HTTP_REQUESTS"] = String(
      Math.min(65_535, Math.max(BUN_DEFAULT_MAX_REQUESTS, concurrency * 2)),
    );
  }
  if (!options.ftl && concurrency >= TIER_UP_CONCURRENCY && !env["BUN_JSC_useFTLJIT"]) {
    wanted["BUN_JSC_useFTLJIT"] = "0";
  }
  return wanted;
}

/** `process.execve` as Bun has it: replaces the process, or throws when it cannot. */
type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Re-executes the process once with `startUpSettingsFor` added to its environment, when that adds
 * anything and the runtime is Bun with `process.execve`; returns otherwise (`execve` replaces the
 * process). It starts agentry the way this process was started (`selfCommand`: the compiled
 * binary, or bun with `cmd/agentry.ts` in a checkout, where `process.execPath` is bun and the
 * script must be passed again) with the same arguments; where that is unknown it does not
 * restart. When the restart fails (the binary was replaced or removed since it started, a seccomp
 * filter forbids `execve`) it says so on stderr and returns. In every case it returns, the
 * command runs with Bun's defaults. Call it before reading stdin or anything else the new process
 * could not read again.
 */
export function restartForManyRuns(
  concurrency: number,
  options: ManyRunsOptions,
  env: NodeJS.ProcessEnv = process.env,
  execve: Execve | undefined = (process as { execve?: Execve }).execve,
): void {
  if (!execve || typeof process.versions["bun"] !== "string") return;
  const wanted = startUpSettingsFor(concurrency, options, env);
  if (Object.keys(wanted).length === 0) return;
  const self = selfCommand();
  // In a checkout, only when bun runs cmd/agentry.ts itself (not, say, a test runner): then the
  // arguments after it are agentry's.
  if (!self || (self.length > 1 && self[1] !== process.argv[1])) return;
  try {
    execve(self[0] as string, [...self, ...process.argv.slice(2)], { ...env, ...wanted });
  } catch (err) {
    process.stderr.write(
      `warning: could not restart with ${Object.keys(wanted).join(", ")} set (${(err as Error).message}); running with Bun's defaults\n`,
    );
  }
}

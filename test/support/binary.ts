import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Path of the compiled binary under test: `$AGENTRY_BIN`, else `dist/agentry` (built by `npm test`). */
export const BINARY = process.env["AGENTRY_BIN"] ?? join(import.meta.dir, "../../dist/agentry");

export interface BinaryResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface BinaryOptions {
  cwd?: string;
  /** Merged over a minimal environment (PATH, HOME, NO_COLOR=1); `undefined` values remove a variable. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
  /** Run another program instead (e.g. `script` to give the binary a pseudo-terminal). */
  binary?: string;
}

/** A started binary: the process, what it printed so far, and its end. */
export interface RunningBinary {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited and its pipes closed (killed with SIGKILL after `timeoutMs`). */
  finished: Promise<BinaryResult>;
}

/**
 * Starts the compiled binary (or `options.binary`) and collects its output as it arrives, for
 * tests that act while it runs (send a signal once something shows). Fails loudly if the binary
 * was not built. stdin stays open: write to `child.stdin` or end it.
 */
export function startBinary(args: string[], options: BinaryOptions = {}): RunningBinary {
  if (!existsSync(BINARY)) throw new Error(`compiled binary not found at ${BINARY}; run \`npm run build\``);
  const env: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    PATH: process.env["PATH"],
    HOME: process.env["HOME"],
    NO_COLOR: "1",
    ...options.env,
  };
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const child = spawn(options.binary ?? BINARY, args, {
    cwd: options.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<BinaryResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, finished };
}

/** Spawns the compiled binary, feeds it `options.stdin` and collects its output. */
export function runBinary(args: string[], options: BinaryOptions = {}): Promise<BinaryResult> {
  const running = startBinary(args, options);
  running.child.stdin.end(options.stdin ?? "");
  return running.finished;
}

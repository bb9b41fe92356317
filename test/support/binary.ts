import { spawn } from "node:child_process";
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

/** Spawns the compiled binary and collects its output. Fails loudly if the binary was not built. */
export function runBinary(args: string[], options: BinaryOptions = {}): Promise<BinaryResult> {
  if (!existsSync(BINARY)) throw new Error(`compiled binary not found at ${BINARY}; run \`npm run build\``);
  const env: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    PATH: process.env["PATH"],
    HOME: process.env["HOME"],
    NO_COLOR: "1",
    ...options.env,
  };
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  return new Promise((resolve, reject) => {
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
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

import { type ChildProcess, spawn } from "node:child_process";
import { BINARY, type BinaryOptions, type BinaryResult, runBinary } from "./binary.ts";

/** Quotes a word for /bin/sh (`script` runs its command through a shell). */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The shell command `script` runs: sizes the pseudo-terminal (80x24, so spinners may draw), then
 * runs the binary with `args`; `stdinFrom` pipes a shell command into its stdin instead of the
 * terminal (e.g. `printf 'prompt'`).
 */
export function terminalCommand(args: string[], options: { stdinFrom?: string } = {}): string {
  const command = [BINARY, ...args].map(shellQuote).join(" ");
  const piped = options.stdinFrom ? `${options.stdinFrom} | ${command}` : `exec ${command}`;
  return `stty cols 80 rows 24 2>/dev/null; ${piped}`;
}

/**
 * Runs the binary on a pseudo-terminal through `script -qfec` (stdout, stderr and stdin are the
 * terminal; what `stdin` holds is typed into it). Output of both streams arrives on `stdout`.
 */
export function runInTerminal(
  args: string[],
  options: BinaryOptions & { stdinFrom?: string } = {},
): Promise<BinaryResult> {
  const { stdinFrom, ...rest } = options;
  return runBinary(["-qfec", terminalCommand(args, stdinFrom ? { stdinFrom } : {}), "/dev/null"], {
    ...rest,
    binary: "script",
  });
}

/** A binary running on a pseudo-terminal that a test types into as the output arrives. */
export interface TerminalSession {
  child: ChildProcess;
  /** Everything the terminal showed so far. */
  output(): string;
  /** Resolves once the terminal showed `pattern` (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<void>;
  type(text: string): void;
  /** Resolves with the exit code of `script`, which is the binary's. */
  exited: Promise<number | null>;
}

/** Starts the binary on a pseudo-terminal and returns a session to interact with it. */
export function startInTerminal(args: string[], options: BinaryOptions = {}): TerminalSession {
  const env: Record<string, string> = {};
  const base = { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1", ...options.env };
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const child = spawn("script", ["-qfec", terminalCommand(args), "/dev/null"], {
    cwd: options.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let text = "";
  const waiters: { pattern: RegExp; resolve(): void; reject(err: Error): void }[] = [];
  const check = () => {
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(text)) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
    check();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
    check();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`terminal closed before ${waiter.pattern}; output:\n${text}`));
      resolve(code);
    });
  });
  return {
    child,
    output: () => text,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
    type: (input) => child.stdin?.write(input),
    exited,
  };
}

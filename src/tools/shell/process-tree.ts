import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { CappedText } from "../capped-text.ts";
import { groupAlive, signalGroup } from "./process-group.ts";

/** What to run and within which limits. `file` must already be resolved (see `resolveExecutable`). */
export interface ProcessSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  maxOutput: number;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL for the process group; default 2 s. */
  graceMs?: number;
}

/** How a process ended. `output` is stdout and stderr interleaved in arrival order, capped. */
export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  output: string;
  truncatedBytes: number;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the process could not be started at all (missing cwd, permission denied). */
  spawnError?: string;
  pid?: number;
}

const POLL_MS = 25;
const IS_WINDOWS = process.platform === "win32";

/**
 * Ends a whole process tree: on POSIX the child leads its own process group, which gets SIGTERM,
 * then SIGKILL if anything is still alive after `graceMs`. Resolves once the group is gone.
 */
export async function killProcessTree(pid: number, graceMs: number): Promise<void> {
  if (IS_WINDOWS) {
    await execa("taskkill", ["/pid", String(pid), "/T", "/F"], { reject: false, windowsHide: true });
    return;
  }
  if (!groupAlive(pid)) return;
  signalGroup(pid, "SIGTERM");
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    await sleep(POLL_MS);
    if (!groupAlive(pid)) return;
  }
  signalGroup(pid, "SIGKILL");
  for (let waited = 0; waited < graceMs && groupAlive(pid); waited += POLL_MS) await sleep(POLL_MS);
}

/**
 * Runs one process in its own process group and never leaves anything of it behind: on timeout,
 * on abort, and also after a normal exit (background children such as `sleep 100 &`) the whole
 * group is killed. Output is read as a stream into a bounded buffer.
 */
export async function runProcessTree(spec: ProcessSpec): Promise<ProcessOutcome> {
  const graceMs = spec.graceMs ?? 2000;
  const captured = new CappedText(spec.maxOutput);
  const child = execa(spec.file, spec.args, {
    env: spec.env,
    extendEnv: false,
    cwd: spec.cwd,
    detached: !IS_WINDOWS,
    cleanup: true,
    buffer: false,
    all: true,
    stdin: "ignore",
    reject: false,
    encoding: "buffer",
    stripFinalNewline: false,
    windowsHide: true,
  });
  child.all?.on("data", (chunk: Buffer) => captured.push(chunk));
  let timedOut = false;
  let aborted = false;
  let killing: Promise<void> | undefined;
  const killAll = () => {
    if (child.pid !== undefined) killing ??= killProcessTree(child.pid, graceMs);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, spec.timeoutMs);
  const onAbort = () => {
    aborted = true;
    killAll();
  };
  if (spec.signal.aborted) onAbort();
  else spec.signal.addEventListener("abort", onAbort, { once: true });

  const ended = await new Promise<{ code: number | null; signal: string | null; error?: string }>(
    (resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.then((result) => {
        const neverRan = result.exitCode === undefined && result.signal === undefined;
        resolve({
          code: result.exitCode ?? null,
          signal: result.signal ?? null,
          ...(neverRan ? { error: result.originalMessage ?? result.shortMessage } : {}),
        });
      });
    },
  );
  clearTimeout(timer);
  spec.signal.removeEventListener("abort", onAbort);
  killAll();
  await killing;
  const stopWaiting = new AbortController();
  const drained = await Promise.race([
    child.then(() => true),
    sleep(graceMs, false, { signal: stopWaiting.signal, ref: false }).catch(() => true),
  ]);
  stopWaiting.abort();
  if (!drained) child.all?.destroy();

  return {
    exitCode: ended.code,
    signal: ended.signal,
    output: captured.text(),
    truncatedBytes: captured.droppedBytes,
    timedOut,
    aborted,
    ...(ended.error ? { spawnError: ended.error } : {}),
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
  };
}

import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { killProcessTree, signalGroup } from "../../process/process-group.ts";
import { CappedText } from "../capped-text.ts";
import { cgroupTracker } from "./cgroup-tracker.ts";
import { createExitGuard, type ExitGuard } from "./exit-guard.ts";
import { procTracker } from "./process-tracker.ts";

/** What to run and within which limits. `file` must already be resolved (see `resolveExecutable`). */
export interface ProcessSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  maxOutput: number;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL for the process tree; default 2 s. */
  graceMs?: number;
  /** How descendants are found: a cgroup where possible, else `/proc` (`auto`); tests force `proc`. */
  tracking?: "auto" | "proc";
  /** Where to register the SIGKILL that runs if agentry exits mid-call; one per tool (default: own). */
  exitGuard?: ExitGuard;
  /** Opens descriptor 3 as a pipe; what the process writes there is `ProcessOutcome.status`. */
  statusFd?: 3;
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
  /** What the process wrote on `ProcessSpec.statusFd` (a sandbox launcher's status), at most 64 KiB. */
  status?: string;
}

const MAX_STATUS = 64 * 1024;

const IS_WINDOWS = process.platform === "win32";

/**
 * Delays between `/proc` walks while a tool runs: often at first, when daemons fork, then every
 * second (a walk reads every `/proc/PID/stat`: about 9 ms for 150 processes on the test VM).
 */
const POLL_SCHEDULE_MS = [10, 20, 40, 80, 160, 320, 640, 1000];

/** How long an exiting agentry waits for SIGKILLed members to go, so their cgroup can be removed. */
const EXIT_WAIT_MS = 200;

/**
 * Runs one process in its own process group and never leaves anything of it behind: on timeout,
 * on abort, and also after a normal exit (background children such as `sleep 100 &`) the whole
 * tree is killed — descendants that left the group or session included (see `ProcessTracker`). If
 * agentry exits meanwhile (a second Ctrl-C), an `exit` handler SIGKILLs the tree synchronously.
 * Output is read as a stream into a bounded buffer.
 */
export async function runProcessTree(spec: ProcessSpec): Promise<ProcessOutcome> {
  const graceMs = spec.graceMs ?? 2000;
  const captured = new CappedText(spec.maxOutput);
  const tracker =
    process.platform === "linux"
      ? ((spec.tracking === "proc" ? undefined : cgroupTracker()) ?? procTracker())
      : undefined;
  const launch = tracker ? tracker.wrap(spec.file, spec.args) : { file: spec.file, args: spec.args };
  const child = execa(launch.file, launch.args, {
    env: spec.env,
    extendEnv: false,
    cwd: spec.cwd,
    detached: !IS_WINDOWS,
    cleanup: true,
    buffer: false,
    all: true,
    stdio: ["ignore", "pipe", "pipe", spec.statusFd === undefined ? "ignore" : "pipe"],
    reject: false,
    encoding: "buffer",
    stripFinalNewline: false,
    windowsHide: true,
  });
  child.all?.on("data", (chunk: Buffer) => captured.push(chunk));
  let status = "";
  child.stdio[3]?.on("data", (chunk: Buffer) => {
    status = (status + chunk.toString("utf8")).slice(0, MAX_STATUS);
  });
  const rootPid = child.pid;
  if (rootPid !== undefined) tracker?.start(rootPid);
  const killNow = () => {
    if (rootPid !== undefined) signalGroup(rootPid, "SIGKILL");
    tracker?.signal("SIGKILL");
    tracker?.dispose(EXIT_WAIT_MS);
  };
  const release = (spec.exitGuard ?? createExitGuard()).hold(killNow);
  let polls = 0;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  const schedulePoll = () => {
    const delay = POLL_SCHEDULE_MS[Math.min(polls, POLL_SCHEDULE_MS.length - 1)] as number;
    polls += 1;
    pollTimer = setTimeout(() => {
      tracker?.poll();
      schedulePoll();
    }, delay);
    pollTimer.unref?.();
  };
  if (tracker && rootPid !== undefined) schedulePoll();
  let timedOut = false;
  let aborted = false;
  let killing: Promise<void> | undefined;
  const killAll = () => {
    if (rootPid !== undefined) killing ??= killProcessTree(rootPid, graceMs, tracker);
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
  clearTimeout(pollTimer);
  spec.signal.removeEventListener("abort", onAbort);
  killAll();
  await killing;
  release();
  tracker?.dispose();
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
    ...(rootPid !== undefined ? { pid: rootPid } : {}),
    ...(spec.statusFd !== undefined ? { status } : {}),
  };
}

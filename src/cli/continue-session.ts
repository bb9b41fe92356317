import { newRunId } from "../runtime/run-id.ts";
import { UsageError } from "../spec/errors.ts";
import { DirectorySessions } from "../state/directory-sessions.ts";
import { SessionStore } from "../state/session-store.ts";

/** The session flags of `run` (and `chat`). */
export interface SessionFlags {
  session?: string;
  continue?: boolean;
  ephemeral?: boolean;
}

/** The conversation a run belongs to: its id, whether agentry named it, and its agent when continued. */
export interface RunSession {
  id: string;
  auto: boolean;
  /** The agent of the continued session (`--continue`), to run it again when no agent is named. */
  agent?: string;
}

/**
 * The session id `cwd`'s last run used (`--session` or automatic), when its conversation is still
 * saved; undefined otherwise. What `agentry run --continue` continues.
 */
export function lastSessionOf(
  stateDir: string,
  cwd: string,
): { id: string; auto: boolean; agent: string } | undefined {
  const pointer = new DirectorySessions(stateDir).last(cwd);
  if (!pointer) return undefined;
  const saved = new SessionStore(stateDir).load(pointer.session);
  return saved ? { id: pointer.session, auto: pointer.auto, agent: saved.agent } : undefined;
}

/**
 * The session of a CLI run: `--session ID`; `--continue`, the last session of `cwd` (exit 2 when
 * there is none); none with `--ephemeral`; otherwise a new automatic one, so the next
 * `--continue` can pick the conversation up. `--continue` with `--session` or `--ephemeral` is
 * exit 2.
 */
export function sessionForRun(flags: SessionFlags, stateDir: string, cwd: string): RunSession | undefined {
  if (flags.continue && flags.session !== undefined)
    throw new UsageError("--continue and --session cannot be combined", {
      hint: "--session ID continues that session; --continue the last one of this directory",
    });
  if (flags.continue && flags.ephemeral)
    throw new UsageError("--continue cannot be combined with --ephemeral", {
      hint: "--ephemeral neither reads nor writes a session",
    });
  if (flags.ephemeral) return undefined;
  if (flags.session !== undefined) return { id: flags.session, auto: false };
  if (flags.continue) {
    const last = lastSessionOf(stateDir, cwd);
    if (!last)
      throw new UsageError(`no conversation to continue in ${cwd}`, {
        hint: 'start one with agentry run "prompt" (or --session ID) in this directory',
      });
    return { id: last.id, auto: last.auto, agent: last.agent };
  }
  return { id: `auto-${newRunId()}`, auto: true };
}

/**
 * After a run: records its session as the last one of `cwd` when the conversation was saved (a
 * run that failed before it could be saved leaves the previous pointer alone).
 */
export function rememberRunSession(stateDir: string, cwd: string, session: RunSession | undefined): void {
  if (!session) return;
  const sessions = new SessionStore(stateDir);
  if (!sessions.has(session.id)) return;
  new DirectorySessions(stateDir).remember(cwd, session.id, session.auto, (id) => sessions.pathOf(id));
}

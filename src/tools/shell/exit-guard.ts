/**
 * Kills that must happen if agentry exits while tools run (a second Ctrl-C calls `process.exit`,
 * which skips every pending cleanup). One `exit` listener per guard, present only while it holds
 * a kill, so many concurrent calls do not pile listeners onto `process`. Create one per tool.
 */
export interface ExitGuard {
  /** Runs `kill` (synchronously) if the process exits before `release` is called. */
  hold(kill: () => void): () => void;
}

/** A guard with no kills held. */
export function createExitGuard(): ExitGuard {
  const kills = new Set<() => void>();
  const onExit = () => {
    for (const kill of kills) kill();
  };
  return {
    hold(kill) {
      if (kills.size === 0) process.on("exit", onExit);
      kills.add(kill);
      return () => {
        if (!kills.delete(kill)) return;
        if (kills.size === 0) process.off("exit", onExit);
      };
    },
  };
}

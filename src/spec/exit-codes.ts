/**
 * The process exit codes of SPEC §2. Every command maps its outcome onto exactly one of these;
 * nothing else in the code base chooses a numeric exit code.
 */
export const ExitCode = {
  ok: 0,
  agentFailed: 1,
  usage: 2,
  policy: 3,
  provider: 4,
  awaitingApproval: 5,
  interrupted: 130,
  /** stdout was closed by its reader (`agentry … | head -1`): the run ended quietly, like SIGPIPE. */
  outputClosed: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

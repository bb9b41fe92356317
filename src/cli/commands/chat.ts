import type tty from "node:tty";
import { namedEntry } from "../../config/named-entry.ts";
import type { ApproveMode, Config } from "../../config/schema.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { SessionStore } from "../../state/session-store.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { buildInfo } from "../build-info.ts";
import { chatApprover } from "../chat/chat-approver.ts";
import { chatLoop } from "../chat/chat-loop.ts";
import { newChatSessionName } from "../chat/chat-state.ts";
import { terminalInput } from "../chat/terminal-input.ts";
import { describeConfigSource, loadCliConfig } from "../cli-config.ts";
import { createCliRuntime } from "../cli-runtime.ts";
import { type RunSession, rememberRunSession, sessionForRun } from "../continue-session.ts";
import { currentUser } from "../current-user.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";
import { requestFromFlags } from "../run-options.ts";
import { closeTargetName } from "../run-target.ts";
import { questionApprover } from "../tty-approver.ts";
import { enterWorkingDirectory } from "../working-directory.ts";

/** Options of `agentry chat`. */
export interface ChatOptions extends CommonOptions {
  model?: string;
  session?: string;
  continue?: boolean;
  cd?: string;
  tools?: string[];
  approve?: "ask" | "deny" | "auto";
}

/**
 * `agentry chat [AGENT]`: an interactive session on a terminal. Every message is one run of the
 * agent continuing the chat's session, through the same configuration lookup (zero-config mode
 * included), runtime, pipeline and audit as `run`.
 */
export default async function chatCommand(
  agentName: string | undefined,
  options: ChatOptions,
): Promise<ExitCodeValue> {
  if (!process.stdin.isTTY) {
    throw new UsageError("agentry chat needs a terminal: stdin is not one", {
      hint: 'for scripts and pipes use `agentry run [AGENT] "PROMPT"` (it reads a piped prompt from stdin)',
    });
  }
  enterWorkingDirectory(options.cd);
  const cwd = process.cwd();
  const runOptions = { ...options, output: "text" as const, var: [] };
  const overrides = requestFromFlags(runOptions);
  const { loaded, source } = await loadCliConfig(options);
  const { config } = loaded;
  const approve = chatApproveMode(options.approve ?? config.defaults?.approve);
  const stateDir = resolveStateDir(config.defaults?.state_dir, process.env);
  const conversation: RunSession =
    options.session !== undefined || options.continue
      ? (sessionForRun(options, stateDir, cwd) as RunSession)
      : { id: newChatSessionName(), auto: false };
  const agent = chosenAgent(config, agentName ?? conversation.agent);
  const session = conversation.id;
  const earlier = new SessionStore(stateDir).load(session)?.messages.length ?? 0;
  const write = (text: string) => writeInfo(text);
  const runtime = createCliRuntime(loaded, {
    stateDir,
    ask: chatApprover(
      questionApprover((question, signal) => input.ask(question, signal), write, {
        user: currentUser(),
        always: "in this chat",
      }),
    ),
    onWarning: (message) => write(`warning: ${message}`),
    version: buildInfo.version,
    ...(options.verbose ? { log: (line: Record<string, unknown>) => write(JSON.stringify(line)) } : {}),
  });
  const input = terminalInput(process.stdin as tty.ReadStream, process.stderr as tty.WriteStream);
  const leave = new AbortController();
  let signals = 0;
  const exitNow = (): never => {
    runtime.flushSync();
    input.close();
    write("leaving now");
    process.exit(ExitCode.interrupted);
  };
  const onSignal = () => {
    signals += 1;
    if (signals > 1) exitNow();
    leave.abort();
    input.close();
  };
  const handled: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of handled) process.on(signal, onSignal);
  if (source.kind === "zero-config" && !options.quiet) write(describeConfigSource(source));
  write(
    `agentry chat · agent ${agent} · session ${session}${earlier > 0 ? ` (continued, ${earlier} messages)` : ""} · /help for commands, Ctrl-C cancels a turn, /exit leaves`,
  );
  try {
    await chatLoop({
      runtime,
      config,
      stateDir,
      input,
      state: {
        agent,
        model: overrides.model,
        session,
        usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0, runs: 0 },
      },
      approve,
      options: runOptions,
      saved: () => rememberRunSession(stateDir, cwd, conversation),
      write,
      exitNow,
      leave: leave.signal,
    });
  } finally {
    for (const signal of handled) process.off(signal, onSignal);
    input.close();
    await runtime.close();
  }
  write(`session ${session} saved; continue it with \`agentry chat --session ${session}\``);
  return leave.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}

/** The agent named (or `[defaults].agent`), which must exist; a near miss gets a did-you-mean. */
function chosenAgent(config: Config, named: string | undefined): string {
  const agent = named ?? config.defaults?.agent;
  if (agent !== undefined && namedEntry(config.agents, agent) !== undefined) return agent;
  const known = Object.keys(config.agents ?? {}).join(", ") || "none";
  if (agent === undefined) {
    throw new UsageError(`no agent given and [defaults].agent is not set (agents: ${known})`, {
      hint: "agentry chat AGENT",
    });
  }
  const close = closeTargetName(config, agent);
  throw new UsageError(
    `unknown agent ${JSON.stringify(agent)}${close ? `; did you mean "${close}"?` : ""} (agents: ${known})`,
    { hint: "agentry chat AGENT" },
  );
}

/** `--approve`, else `[defaults].approve`, else `ask`; `defer` cannot work in a conversation. */
function chatApproveMode(mode: ApproveMode | undefined): ApproveMode {
  if (mode === "defer") {
    throw new UsageError(
      '[defaults].approve = "defer" cannot be used by agentry chat: nobody could resume a deferred turn',
      {
        hint: "pass --approve ask|deny|auto to chat",
      },
    );
  }
  return mode ?? "ask";
}

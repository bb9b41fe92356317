import { namedEntry } from "../../config/named-entry.ts";
import type { Config } from "../../config/schema.ts";
import { toolApprovalRule } from "../../middleware/approval/patterns.ts";
import { resolveSettings } from "../../runtime/agent-settings.ts";
import { SessionStore } from "../../state/session-store.ts";
import { listTools } from "../../tools/listing.ts";
import { formatUsd } from "../render/format.ts";
import { requestFromFlags } from "../run-options.ts";
import type { ChatState } from "./chat-state.ts";

/** What a slash command needs besides the chat's state. */
export interface SlashContext {
  config: Config;
  stateDir: string;
  state: ChatState;
  write(text: string): void;
}

/** Whether the chat goes on after a command. */
export type SlashOutcome = "continue" | "exit";

/** The help text of `/help`: commands, keys, multi-line input. */
export const CHAT_HELP = `commands:
  /help                 this help
  /model [provider/model]  show the model, or use another one for the next messages
  /tools                the agent's tools and which of them ask before running
  /cost                 tokens and cost of this chat so far
  /clear                forget the conversation (the session starts over, empty)
  /save [NAME]          copy the conversation so far to session NAME (without NAME: where it is kept)
  /exit                 leave (also /quit, Ctrl-D on an empty line)
keys:
  Enter sends; a line ending in \\ continues on the next line; a paste is taken whole
  (its line breaks kept) and sent with the next Enter. Start a message with // to send one
  that begins with /.
  Ctrl-C cancels the current turn (its tools are stopped, the audit log records it);
  Ctrl-C at the prompt clears it, twice in a row leaves.
  approvals: y = this call, n = refuse (optional reason), a = every later call of that tool
  by this agent in this chat, whatever its arguments.`;

/** Whether `line` is a command (a line starting with one `/`; `//` escapes a message). */
export function isSlashCommand(line: string): boolean {
  return line.startsWith("/") && !line.startsWith("//");
}

/**
 * Runs one `/command` line; unknown commands print the list instead of reaching the model. A bad
 * argument (`/model nonsense`, `/save` with an invalid name) throws UsageError for the chat to show.
 */
export async function runSlashCommand(line: string, ctx: SlashContext): Promise<SlashOutcome> {
  const [name = "", ...args] = line.trim().split(/\s+/);
  const { state, write } = ctx;
  switch (name) {
    case "/help":
      write(CHAT_HELP);
      return "continue";
    case "/exit":
    case "/quit":
      return "exit";
    case "/model":
      write(changeModel(ctx, args[0]));
      return "continue";
    case "/tools":
      write(await describeTools(ctx));
      return "continue";
    case "/cost": {
      const { usage } = state;
      write(
        `${usage.runs} message${usage.runs === 1 ? "" : "s"} · ${usage.input_tokens} in / ${usage.output_tokens} out tokens · ${formatUsd(usage.cost_usd)}`,
      );
      return "continue";
    }
    case "/clear": {
      new SessionStore(ctx.stateDir).save({ id: state.session, agent: state.agent, messages: [] });
      write(`conversation cleared (session ${state.session} is empty now)`);
      return "continue";
    }
    case "/save":
      write(saveAs(ctx, args[0]));
      return "continue";
    default:
      write(
        `unknown command ${name}; /help lists them (start a message with // to send one beginning with /)`,
      );
      return "continue";
  }
}

function changeModel(ctx: SlashContext, next: string | undefined): string {
  const { state, config } = ctx;
  if (next === undefined) {
    const configured = agentSettings(config, state.agent).model ?? "(none configured)";
    return state.model === undefined
      ? `model: ${configured} (the agent's)`
      : `model: ${state.model} (instead of the agent's ${configured})`;
  }
  state.model = requestFromFlags({ output: "text", var: [], model: next }).model;
  return `model: ${next} from the next message on`;
}

async function describeTools(ctx: SlashContext): Promise<string> {
  const settings = agentSettings(ctx.config, ctx.state.agent);
  const listed = await listTools(ctx.config, ctx.state.agent);
  const servers = (settings.config.tools ?? []).filter((reference) => reference.startsWith("mcp:"));
  if (listed.length === 0 && servers.length === 0) return `agent ${ctx.state.agent} has no tools`;
  const rule = (name: string, readOnly: boolean): string => {
    const found = toolApprovalRule(settings.mode, settings.policy.approval, { name, readOnly });
    const verdict =
      found.verdict === "asks"
        ? "asks first"
        : found.verdict === "refused"
          ? `refused (${found.why})`
          : settings.mode === "auto"
            ? "runs without asking (auto mode)"
            : "runs";
    const except = found.except.length > 0 ? ` (not for ${found.except.join(", ")})` : "";
    const deny = found.deny.length > 0 ? ` · refused when ${found.deny.join(", ")}` : "";
    return `${verdict}${except}${deny}`;
  };
  const rows = listed.map(
    (tool) =>
      `  ${tool.name}  (${tool.kind}, ${tool.read_only ? "read-only" : "read-write"}) · ${rule(tool.name, tool.read_only)}`,
  );
  for (const server of servers)
    rows.push(`  ${server}  (MCP server; its tools are listed by \`agentry tools\`)`);
  return `tools of ${ctx.state.agent} (mode ${settings.mode}):\n${rows.join("\n")}`;
}

function saveAs(ctx: SlashContext, name: string | undefined): string {
  const { state } = ctx;
  if (name === undefined || name === state.session) {
    return `the conversation is saved after every message as session ${state.session}; continue it with \`agentry chat --session ${state.session}\``;
  }
  const store = new SessionStore(ctx.stateDir);
  if (store.load(name) !== undefined) return `session ${name} exists already; /save under another name`;
  const messages = store.load(state.session)?.messages ?? [];
  store.save({ id: name, agent: state.agent, messages });
  return `copied the conversation to session ${name} (continue it later with \`agentry chat --session ${name}\`); this chat goes on as ${state.session}`;
}

function agentSettings(config: Config, agent: string) {
  return resolveSettings(config, agent, namedEntry(config.agents, agent) ?? {});
}

import { auditLogLines } from "../../audit/log-lines.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";
import { auditPathFor, type CommandWithGlobals, withGlobals } from "./audit-verify.ts";

/** Filters of `agentry audit show`. */
export interface AuditShowOptions extends CommonOptions {
  run?: string;
  agent?: string;
  tool?: string;
}

function short(value: unknown, max = 60): string {
  if (value === undefined || value === null) return "";
  const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const FRAME_OPEN = /^<tool_output [^>\n]*>\n?/;
const FRAME_CLOSE = /\n?<\/tool_output>$/;

/**
 * Tool output as the tool produced it: the `<tool_output … untrusted='true'>` frame that context
 * enrichment puts around it for the model is display noise here.
 */
function unframed(output: string): string {
  return output.replace(FRAME_OPEN, "").replace(FRAME_CLOSE, "");
}

function str(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return value === undefined || value === null ? "" : String(value);
}

/**
 * One readable line for a record: time, run, agent, type, then what matters for that type (for a
 * tool call: the tool, its arguments as recorded, the decision and the start of its output).
 */
export function formatAuditRecord(record: Record<string, unknown>): string {
  const head = [str(record, "ts"), str(record, "run_id"), str(record, "agent"), str(record, "type")];
  let tail: string[];
  switch (record["type"]) {
    case "tool_call": {
      const refusedBy = str(record, "refused_by");
      const approval = record["approval"] as Record<string, unknown> | undefined;
      const shown = record["ok"] === true ? record["output"] : (record["error"] ?? record["output"]);
      tail = [
        str(record, "tool"),
        short(record["args"], 120),
        refusedBy ? `refused(${refusedBy})` : str(record, "decision"),
        approval ? `approval=${str(approval, "decision")}` : "",
        record["ok"] === true ? "ok" : "failed",
        short(typeof shown === "string" ? unframed(shown) : shown),
      ];
      break;
    }
    case "approval":
      tail = [
        str(record, "tool"),
        str(record, "decision"),
        str(record, "by") && `by ${str(record, "by")}`,
        short(record["reason"]),
      ];
      break;
    case "run_start":
      tail = [str(record, "model"), short(record["prompt"])];
      break;
    case "run_end":
      tail = [str(record, "status"), str(record, "stop_reason")];
      break;
    case "policy_stop":
      tail = [str(record, "reason"), str(record, "by") && `by ${str(record, "by")}`];
      break;
    case "secret_use":
      tail = [str(record, "name"), str(record, "used_by")];
      break;
    default:
      tail = [];
  }
  return [...head, ...tail].filter((part) => part !== "").join("  ");
}

/**
 * `agentry audit show [FILE] [--run ID] [--agent NAME] [--tool NAME]`: one readable line per
 * record on stdout. Unreadable lines are reported on stderr and skipped (use `audit verify`).
 */
export default async function auditShowCommand(
  file: string | undefined,
  ownOptions: AuditShowOptions,
  command?: CommandWithGlobals,
): Promise<ExitCodeValue> {
  const options = withGlobals(ownOptions, command);
  const path = await auditPathFor(file, options);
  let lineNumber = 0;
  const out: string[] = [];
  for await (const line of auditLogLines(path)) {
    lineNumber += 1;
    if (line.trim() === "") continue;
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      record = parsed as Record<string, unknown>;
    } catch {
      writeInfo(`${path}: line ${lineNumber}: not a JSON record, skipped`);
      continue;
    }
    if (options.run !== undefined && record["run_id"] !== options.run) continue;
    if (options.agent !== undefined && record["agent"] !== options.agent) continue;
    if (options.tool !== undefined && record["tool"] !== options.tool) continue;
    out.push(formatAuditRecord(record));
    if (out.length >= 512) process.stdout.write(`${out.splice(0).join("\n")}\n`);
  }
  if (out.length) process.stdout.write(`${out.join("\n")}\n`);
  return ExitCode.ok;
}

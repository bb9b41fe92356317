import type { Mode } from "../../config/schema.ts";
import { modelToolName } from "../../config/tool-patterns.ts";
import { type CallPattern, globMatch, parseCallPatterns, patternsFor } from "../glob.ts";

/** The parts of `policy.approval` that decide who is asked and what is refused. */
export interface ApprovalPatternPolicy {
  tools?: readonly string[];
  except?: readonly string[];
  deny?: readonly string[];
}

/** `policy.approval`'s patterns, parsed once, matched against the names the model calls tools by. */
export interface ApprovalPatterns {
  deny: CallPattern[];
  except: CallPattern[];
  /** The `policy.approval.tools` entry (as written) that makes `tool` ask in `ask` mode, if any. */
  askingPattern(tool: string): string | undefined;
}

/** Parses `policy.approval` as the approval layer applies it (`agent:NAME` matches `agent_NAME`). */
export function approvalPatterns(policy: ApprovalPatternPolicy = {}): ApprovalPatterns {
  const asks = (policy.tools ?? []).map((source) => ({ source, tool: modelToolName(source) }));
  return {
    deny: parseCallPatterns(policy.deny),
    except: parseCallPatterns(policy.except),
    askingPattern: (tool) => asks.find((pattern) => globMatch(pattern.tool, tool))?.source,
  };
}

/** How the approval layer treats the calls of one tool, for listings (chat's `/tools`). */
export interface ToolApprovalRule {
  /** What a call meets when no `deny` or `except` pattern applies to it. */
  verdict: "runs" | "asks" | "refused";
  /** Why, in the configuration's words. */
  why: string;
  /** `deny` patterns for this tool (as written): calls they match are refused in every mode. */
  deny: string[];
  /** `except` patterns for this tool (as written): in `ask` mode, calls they match run without asking. */
  except: string[];
}

/**
 * The approval rule of one tool (`name` as the model calls it) under `mode` and `policy`, decided
 * by the same patterns as the approval layer, so a listing never says a tool runs when its calls
 * ask, or asks when they run.
 */
export function toolApprovalRule(
  mode: Mode,
  policy: ApprovalPatternPolicy | undefined,
  tool: { name: string; readOnly: boolean },
): ToolApprovalRule {
  const patterns = approvalPatterns(policy);
  const forTool = (list: CallPattern[]) => patternsFor(list, tool.name).map((pattern) => pattern.source);
  const deny = forTool(patterns.deny);
  const except = forTool(patterns.except);
  switch (mode) {
    case "readonly":
      return tool.readOnly
        ? { verdict: "runs", why: "read-only tool in readonly mode", deny, except: [] }
        : { verdict: "refused", why: "readonly mode", deny, except: [] };
    case "auto":
      return { verdict: "runs", why: "auto mode", deny, except: [] };
    case "ask": {
      const asking = patterns.askingPattern(tool.name);
      return asking === undefined
        ? { verdict: "runs", why: "no policy.approval.tools entry matches it", deny, except: [] }
        : { verdict: "asks", why: `policy.approval.tools includes "${asking}"`, deny, except };
    }
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

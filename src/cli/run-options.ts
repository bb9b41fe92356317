import { parseDuration } from "../config/units.ts";
import type { RunRequest } from "../runtime/run-request.ts";
import type { ToolNamePatterns } from "../runtime/tool-name-filter.ts";
import { UsageError } from "../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../spec/exit-codes.ts";
import type { RunOptions } from "./main.ts";
import { writeInfo } from "./output.ts";

/** Turns run flags into the parts of a `RunRequest` they control; bad values are usage errors. */
export function requestFromFlags(options: RunOptions): Omit<RunRequest, "prompt"> {
  const request: Omit<RunRequest, "prompt"> = {};
  if (options.model !== undefined) {
    if (!/^[A-Za-z0-9_-]+\/.+$/.test(options.model))
      throw flagError("--model", options.model, "provider/model");
    request.model = options.model;
  }
  if (options.maxTurns !== undefined) request.maxTurns = positiveInt("--max-turns", options.maxTurns);
  if (options.timeout !== undefined) {
    const ms = parseDuration(options.timeout);
    if (ms === undefined || ms <= 0)
      throw flagError("--timeout", options.timeout, "a duration such as 90s or 10m");
    request.timeoutMs = ms;
  }
  const usd = budgetUsd(options);
  const tokens =
    options.budgetTokens === undefined ? undefined : positiveInt("--budget-tokens", options.budgetTokens);
  if (usd !== undefined || tokens !== undefined) {
    request.budget = { ...(usd !== undefined ? { usd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
  }
  if (options.session !== undefined) request.session = options.session;
  if (options.ephemeral) request.ephemeral = true;
  if (options.record !== undefined) request.recordFile = options.record;
  if (options.replay !== undefined) request.replayFile = options.replay;
  if (options.approve !== undefined) request.approve = options.approve;
  if (options.outputSchema !== undefined) request.outputSchema = options.outputSchema;
  if (options.var.length > 0) request.vars = parseVars(options.var);
  if (options.systemPrompt !== undefined) request.instructions = options.systemPrompt;
  if (options.appendSystemPrompt !== undefined) request.appendInstructions = options.appendSystemPrompt;
  return request;
}

function budgetUsd(options: RunOptions): number | undefined {
  const given = options.budgetUsd ?? options.maxBudgetUsd;
  if (given === undefined) return undefined;
  const usd = positiveNumber(options.budgetUsd !== undefined ? "--budget-usd" : "--max-budget-usd", given);
  if (
    options.budgetUsd !== undefined &&
    options.maxBudgetUsd !== undefined &&
    positiveNumber("--max-budget-usd", options.maxBudgetUsd) !== usd
  ) {
    throw new UsageError("--budget-usd and --max-budget-usd disagree", {
      hint: "--max-budget-usd is another name for --budget-usd; give one of them",
    });
  }
  return usd;
}

/**
 * `--json` is `--output json`: sets it, refusing an explicit `--output` (`outputGiven`) of another format. Call
 * before anything reads `options.output`.
 */
export function applyJsonFlag(options: RunOptions, outputGiven: boolean): void {
  if (!options.json) return;
  if (outputGiven && options.output !== "json") {
    throw new UsageError(`--json and --output ${options.output} cannot be combined`, {
      hint: "--json is short for --output json",
    });
  }
  options.output = "json";
}

/** `--allowed-tools` / `--disallowed-tools` values (comma or space separated, repeatable) as patterns. */
export function toolPatternsFrom(
  options: Pick<RunOptions, "allowedTools" | "disallowedTools">,
): ToolNamePatterns {
  const split = (values: readonly string[]) =>
    values.flatMap((value) => value.split(/[\s,]+/)).filter((word) => word !== "");
  const patterns: ToolNamePatterns = {};
  if (options.allowedTools !== undefined) {
    const allowed = split(options.allowedTools);
    if (allowed.length === 0)
      throw new UsageError("--allowed-tools: no tool name given", {
        hint: "name the tools to keep, e.g. --allowed-tools file,shell",
      });
    patterns.allowed = allowed;
  }
  const disallowed = split(options.disallowedTools ?? []);
  if (disallowed.length > 0) patterns.disallowed = disallowed;
  return patterns;
}

function parseVars(pairs: string[]): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw flagError("--var", pair, "key=value");
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return vars;
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw flagError(flag, text, "a positive integer");
  return value;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw flagError(flag, text, "a positive number");
  return value;
}

function flagError(flag: string, found: string, expected: string): UsageError {
  return new UsageError(`${flag}: expected ${expected}, found "${found}"`);
}

/**
 * `--fail-on-refusal`: a run that succeeded although calls were refused ends with exit 3 (stopped
 * by policy), so CI can fail on refusals; any other outcome keeps its own exit code.
 */
export function exitCodeAfterRefusals(
  exitCode: ExitCodeValue,
  refusedCalls: number,
  options: Pick<RunOptions, "failOnRefusal">,
): ExitCodeValue {
  if (!options.failOnRefusal || refusedCalls === 0 || exitCode !== ExitCode.ok) return exitCode;
  writeInfo(`--fail-on-refusal: ${refusedCalls} tool call(s) were refused; exit 3`);
  return ExitCode.policy;
}

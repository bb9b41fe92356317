import { parseDuration } from "../config/units.ts";
import type { RunRequest } from "../runtime/run-request.ts";
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
  const usd = options.budgetUsd === undefined ? undefined : positiveNumber("--budget-usd", options.budgetUsd);
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
  return request;
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

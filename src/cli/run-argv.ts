import type { RunOptions } from "./main.ts";
import { RUN_OPTIONS, runOptionDefault } from "./run-option-table.ts";

/**
 * Start-up: loading commander and declaring the program cost `agentry run` ≈ 3.5 ms of CPU
 * before its first request (docs/benchmarks/turns.md), a third of what the floor spends in all.
 * This reads the argv of `agentry run` in the plain forms (`--flag`, `--name value`,
 * `--name=value`, `-c value`, words) into exactly what commander would hand the `run` action,
 * and declines everything else — `--help`, `--`, joined short flags (`-qv`, `-cFILE`), a value
 * starting with `-`, an unknown option, a value outside `choices` — so that commander parses it
 * with its own help and errors. It reads argv by `RUN_OPTIONS` (run-option-table.ts), from which
 * main.ts declares the same options to commander; test/cli/run-argv.test.ts checks the two
 * parsers agree.
 */

/** What the `run` action receives: its two arguments, the options, and whether `--output` was given. */
export interface RunArgv {
  first: string | undefined;
  rest: string[];
  options: RunOptions;
  outputGiven: boolean;
}

/** `--max-turns` → `maxTurns`, as commander names option values. */
function attributeName(long: string): string {
  return long.slice(2).replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** The arguments after `run`, as commander would parse them, or undefined to let commander parse them. */
export function parseRunArgv(args: readonly string[]): RunArgv | undefined {
  const values: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS)
    if (spec.default !== undefined) values[attributeName(spec.long)] = runOptionDefault(spec);
  const operands: string[] = [];
  let outputGiven = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.length < 2 || !arg.startsWith("-")) {
      operands.push(arg);
      continue;
    }
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = equals >= 0 ? arg.slice(0, equals) : arg;
    const spec = RUN_OPTIONS.find((option) => option.long === name || option.short === name);
    if (!spec) return undefined;
    const key = attributeName(spec.long);
    if (spec.kind === "flag") {
      if (equals >= 0) return undefined;
      values[key] = true;
      continue;
    }
    const value = equals >= 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined || value.startsWith("-")) return undefined;
    if (spec.choices && !spec.choices.includes(value)) return undefined;
    if (spec.kind === "collect") values[key] = [...((values[key] as string[] | undefined) ?? []), value];
    else values[key] = value;
    if (key === "output") outputGiven = true;
  }
  return {
    first: operands[0],
    rest: operands.slice(1),
    options: values as unknown as RunOptions,
    outputGiven,
  };
}

import { expect, test } from "bun:test";
import type { Command, Option } from "commander";
import { buildProgram } from "../../src/cli/main.ts";
import { parseRunArgv } from "../../src/cli/run-argv.ts";
import { RUN_OPTIONS, type RunOptionSpec } from "../../src/cli/run-option-table.ts";
import { positionalsAfterDoubleDash } from "../../src/cli/run-target.ts";
import { seededRandom as random } from "../support/seeded-random.ts";
import { staticClosure } from "../support/static-imports.ts";

/**
 * `parseRunArgv` (src/cli/run-argv.ts) reads `agentry run`'s argv without commander. On every
 * argv it either declines (commander then parses it, with its help and errors) or returns
 * exactly what commander hands the `run` action.
 */

interface CommanderOutcome {
  ok: boolean;
  opts?: Record<string, unknown>;
  args?: unknown[];
  outputGiven?: boolean;
  literal?: boolean;
}

/** What commander does with `agentry run ARGS`: the action's options and arguments, or an error. */
async function commanderParse(args: string[]): Promise<CommanderOutcome> {
  const program = buildProgram(() => {}, "run");
  let outcome: CommanderOutcome = { ok: false };
  program.hook("preAction", (_program, command) => {
    outcome = {
      ok: true,
      opts: command.opts(),
      args: command.processedArgs,
      outputGiven: command.getOptionValueSource("output") === "cli",
      literal: positionalsAfterDoubleDash(command),
    };
  });
  const silent = { writeErr: () => {}, writeOut: () => {} };
  program.configureOutput(silent);
  for (const command of program.commands) command.configureOutput(silent);
  try {
    await program.parseAsync(["run", ...args], { from: "user" });
  } catch {
    return { ok: false };
  }
  return outcome;
}

function runCommand(): Command {
  const run = buildProgram(() => {}, "run").commands.find((command) => command.name() === "run");
  if (!run) throw new Error("no run command");
  return run;
}

type ParseSpec = Pick<RunOptionSpec, "long" | "short" | "choices"> & { kind: string };

/** How commander parses an option: its names, whether it takes a value and collects it, its choices. */
function specOf(option: Option): ParseSpec {
  const collects = (parse: (value: string, previous: unknown) => unknown) =>
    Bun.deepEquals(parse("y", ["x"]), ["x", "y"]) &&
    (option.defaultValue !== undefined || Bun.deepEquals(parse("x", undefined), ["x"]));
  const kind =
    !option.required && !option.optional
      ? "flag"
      : option.argChoices || !option.parseArg
        ? "value"
        : collects(option.parseArg)
          ? "collect"
          : "another parser";
  return {
    long: option.long as string,
    ...(option.short ? { short: option.short } : {}),
    kind,
    ...(option.argChoices ? { choices: option.argChoices } : {}),
  };
}

function parseSpecOf(spec: RunOptionSpec): ParseSpec {
  return {
    long: spec.long,
    ...(spec.short ? { short: spec.short } : {}),
    kind: spec.kind,
    ...(spec.choices ? { choices: spec.choices } : {}),
  };
}

test("main.ts declares run's options from RUN_OPTIONS: commander parses each as the fast parser does", () => {
  const run = runCommand();
  expect(run.options.map(specOf)).toEqual(RUN_OPTIONS.map(parseSpecOf));
  const defaults = Object.fromEntries(
    run.options
      .filter((option) => option.defaultValue !== undefined)
      .map((o) => [o.attributeName(), o.defaultValue]),
  );
  expect(defaults).toEqual({ output: "text", var: [] });
  expect(parseRunArgv([])?.options).toEqual({ output: "text", var: [] });
});

test("a list default is a fresh array in every parse: one run's --var never leaks into the next", () => {
  const first = parseRunArgv([])?.options.var;
  first?.push("leak=1");
  expect(parseRunArgv([])?.options.var).toEqual([]);
  expect(RUN_OPTIONS.find((spec) => spec.long === "--var")?.default).toEqual([]);
});

test("batch and resume declare the common and shared options in the table's order; every command -c, -q, -v", () => {
  const program = buildProgram(() => {});
  const longs = (name: string) =>
    program.commands.find((command) => command.name() === name)?.options.map((option) => option.long);
  const shared = RUN_OPTIONS.filter((spec) => spec.scope !== "run").map((spec) => spec.long);
  expect(longs("batch")?.slice(0, shared.length)).toEqual(shared);
  expect(longs("resume")).toEqual(shared);
  expect(longs("validate")).toEqual(["--config", "--quiet", "--verbose"]);
});

const VALUES = [
  "a",
  "x.toml",
  "json",
  "text",
  "ndjson",
  "yaml",
  "auto",
  "deny",
  "defer",
  "ask",
  "-x",
  "",
  "a=b",
  "--",
  "-",
  "10m",
  "file,shell",
  "--quiet",
  "-q",
  " -x",
  "—x",
];
const WORDS = [
  "a",
  "go",
  "hello world",
  "-",
  "ops",
  "--",
  "-5",
  "-h",
  "--help",
  "--version",
  "-V",
  "--bogus",
  "-qv",
  "-cfile",
  "-c=x",
  "--quiet=1",
  "--json=true",
  "--output=",
  "--no-quiet",
  "--outptu",
  "—approve",
  "help",
  " -x",
];

function randomArgv(next: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const argv: string[] = [];
  const length = Math.floor(next() * 8);
  for (let i = 0; i < length; i++) {
    const roll = next();
    if (roll < 0.6) {
      const option = pick(RUN_OPTIONS);
      const name = option.short && next() < 0.5 ? option.short : option.long;
      if (option.kind === "flag") argv.push(name);
      else if (next() < 0.2 && name.startsWith("--")) argv.push(`${name}=${pick(option.choices ?? VALUES)}`);
      else if (next() < 0.95) argv.push(name, pick(next() < 0.7 && option.choices ? option.choices : VALUES));
      else argv.push(name);
    } else if (roll < 0.85) argv.push(pick(["a", "go", "ops", "hello world", "-"]));
    else argv.push(pick(WORDS));
  }
  return argv;
}

const FIXED: string[][] = [
  [],
  ["a"],
  ["a", "go"],
  ["-c", "x.toml", "-q", "a", "go"],
  ["--output", "json", "--var", "a=1", "--var", "b=2", "agent", "hello", "world"],
  ["--output=ndjson", "--output", "json", "a"],
  ["-a", "ops", "--json", "--allowed-tools", "read,sh", "--allowed-tools", "x", "status?"],
  ["--tools", "file", "-C", "/tmp", "--continue", "more"],
  ["a", "-q", "go", "--model", "openai/x", "more"],
  ["--model=", "a"],
  ["--config=a=b", "a"],
  ["-", "--model=", "x"],
  ["a", "--", "-x"],
  ["--help"],
  ["-qv", "a"],
  ["--model", "-x", "a"],
  ["--output", "yaml", "a"],
];

test("agrees with commander on every argv it accepts, and accepts the plain forms", async () => {
  const next = random(29);
  const cases = [...FIXED, ...Array.from({ length: 2500 }, () => randomArgv(next))];
  const mismatches: string[] = [];
  let accepted = 0;
  let declined = 0;
  for (const args of cases) {
    const fast = parseRunArgv(args);
    if (!fast) {
      declined++;
      continue;
    }
    accepted++;
    const commander = await commanderParse(args);
    const same =
      commander.ok &&
      JSON.stringify(fast.options) === JSON.stringify(commander.opts) &&
      Bun.deepEquals(fast.options, commander.opts, true) &&
      Bun.deepEquals([fast.first, fast.rest], commander.args, true) &&
      fast.outputGiven === commander.outputGiven &&
      commander.literal === false;
    if (!same && mismatches.length < 5) mismatches.push(JSON.stringify({ args, fast, commander }));
  }
  expect(mismatches).toEqual([]);
  expect(accepted).toBeGreaterThan(300);
  expect(declined).toBeGreaterThan(300);
  for (const plain of FIXED.slice(0, 12)) expect(parseRunArgv(plain)).toBeDefined();
  for (const unusual of FIXED.slice(12)) expect(parseRunArgv(unusual)).toBeUndefined();
});

test("`agentry run` reaches commander only through main.ts, which it loads only for argv it declines", () => {
  for (const entry of ["src/cli/start.ts", "src/cli/commands/run.ts"]) {
    expect([...staticClosure(entry).packages].filter((name) => name === "commander")).toEqual([]);
  }
});

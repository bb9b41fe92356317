import { expect, test } from "bun:test";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.ts";

interface Outcome {
  action?: { name: string; opts: Record<string, unknown>; args: unknown[] };
  error?: { code: string; exitCode: number };
  stdout: string;
  stderr: string;
}

/** Parses argv with a program and records what commander did: the action's options and arguments, errors and output. */
async function parse(program: Command, argv: string[]): Promise<Outcome> {
  const outcome: Outcome = { stdout: "", stderr: "" };
  program.hook("preAction", (_program, command) => {
    outcome.action = { name: command.name(), opts: command.opts(), args: command.processedArgs };
  });
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((text: string) => {
    outcome.stdout += text;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((text: string) => {
    outcome.stderr += text;
    return true;
  }) as typeof process.stderr.write;
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    const { code, exitCode } = err as { code: string; exitCode: number };
    outcome.error = { code, exitCode };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return outcome;
}

const CASES: string[][] = [
  ["run", "-c", "x.toml", "-q", "a", "go"],
  ["run", "--output", "json", "--var", "a=1", "--var", "b=2", "agent", "hello", "world"],
  ["run", "-qv", "--max-turns=3", "--approve", "auto", "a", "--", "-x", "--y"],
  ["run", "--output", "yaml", "a"],
  ["run", "--approve", "maybe", "a"],
  ["run", "--bogus", "a"],
  ["run", "--outptu", "json", "a"],
  ["run", "--help"],
  ["run", "-h"],
  ["run", "--version"],
  ["run"],
  ["run", "-a", "ops", "--json", "--allowed-tools", "read,sh", "--allowed-tools", "x", "status?"],
  ["run", "--tools", "file", "-C", "/tmp", "--continue", "more"],
  ["batch", "--output", "json", "jobs.jsonl"],
  ["batch", "jobs.jsonl", "--concurrency", "500", "--output", "ndjson"],
  ["batch"],
  ["resume", "r-1", "--approve", "deny"],
  ["audit", "verify", "audit.jsonl"],
  ["audit", "show", "--run", "r-1"],
  ["audit", "frob"],
  ["runs", "show", "-f", "r-1"],
  ["mcp", "serve", "--approve", "auto"],
  ["validate", "-c", "a.toml"],
  ["tools", "--json", "a"],
  ["approvals", "approve", "ap-1", "--by", "me"],
];

test("a program declaring only argv's subcommand parses, helps and fails exactly like the full one", async () => {
  for (const argv of CASES) {
    const full = await parse(
      buildProgram(() => {}),
      argv,
    );
    const subset = await parse(
      buildProgram(() => {}, argv[0]),
      argv,
    );
    expect({ argv, ...subset }).toEqual({ argv, ...full });
    expect(full.action ?? full.error).toBeDefined();
  }
});

test("a first word that names no subcommand declares nothing, so the caller builds the full program", () => {
  expect(buildProgram(() => {}, "rnu").commands).toEqual([]);
  expect(buildProgram(() => {}, "run").commands.map((command) => command.name())).toEqual(["run"]);
  expect(buildProgram(() => {}).commands.length).toBeGreaterThan(15);
});

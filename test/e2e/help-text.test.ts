import { describe, expect, test } from "bun:test";
import { runBinary } from "../support/binary.ts";

/** Issue 15: every command's --help shows examples and its exit codes; init/version list no -c/-q. */

const COMMANDS = [
  [],
  ["run"],
  ["chat"],
  ["batch"],
  ["resume"],
  ["approvals"],
  ["serve"],
  ["submit"],
  ["worker"],
  ["jobs"],
  ["validate"],
  ["agents"],
  ["tools"],
  ["audit"],
  ["audit", "verify"],
  ["audit", "show"],
  ["runs"],
  ["runs", "list"],
  ["runs", "show"],
  ["runs", "report"],
  ["schedule"],
  ["mcp"],
  ["mcp", "serve"],
  ["sandbox"],
  ["sandbox", "check"],
  ["init"],
  ["doctor"],
  ["version"],
];

describe("--help", () => {
  test("every command shows examples and the exit codes it can end with", async () => {
    for (const command of COMMANDS) {
      const result = await runBinary([...command, "--help"]);
      expect({ command, code: result.code }).toEqual({ command, code: 0 });
      expect({ command, examples: result.stdout.includes("\nExamples:\n  ") }).toEqual({
        command,
        examples: true,
      });
      expect({ command, exits: /\nExit codes:\n {2}0 {4}success\n/.test(result.stdout) }).toEqual({
        command,
        exits: true,
      });
    }
  });

  test("run's help lists the exit codes of a run, usage errors included", async () => {
    const result = await runBinary(["run", "--help"]);
    for (const code of ["1 ", "2 ", "3 ", "4 ", "5 ", "130"]) expect(result.stdout).toContain(`\n  ${code}`);
    expect(result.stdout).toContain("--continue");
    expect(result.stdout).toContain("-a, --agent <name>");
  });

  test("init and version do not list -c or -q; batch does not list --output or --session", async () => {
    for (const command of ["init", "version"]) {
      const result = await runBinary([command, "--help"]);
      expect(result.stdout).not.toContain("--config");
      expect(result.stdout).not.toContain("--quiet");
    }
    const batch = await runBinary(["batch", "--help"]);
    expect(batch.stdout).not.toContain("--output <format>");
    expect(batch.stdout).not.toContain("--session");
  });
});

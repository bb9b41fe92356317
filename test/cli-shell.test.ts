import { describe, expect, test } from "bun:test";
import { runBinary } from "./support/binary.ts";

describe("compiled CLI shell", () => {
  test("--version prints the version and exits 0", async () => {
    const result = await runBinary(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^agentry \d+\.\d+\.\d+/);
    expect(result.stderr).toBe("");
  });

  test("version prints commit, build date and target", async () => {
    const result = await runBinary(["version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/commit: \S+\nbuilt: +\d{4}-\d\d-\d\dT/);
    expect(result.stdout).toContain(`target: ${process.platform}-${process.arch}`);
  });

  test("an unknown command is a usage error (exit 2) on stderr", async () => {
    const result = await runBinary(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  test("--help lists every command of the contract", async () => {
    const result = await runBinary(["--help"]);
    expect(result.code).toBe(0);
    for (const command of [
      "run",
      "batch",
      "resume",
      "approvals",
      "validate",
      "agents",
      "tools",
      "audit",
      "schedule",
      "init",
      "doctor",
      "version",
    ]) {
      expect(result.stdout).toContain(`\n  ${command} `);
    }
  });
});

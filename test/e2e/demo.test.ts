import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";

const DEMO = join(import.meta.dir, "../../configs/demo.toml");
const PROMPT = "What is in the workspace, and what is left to do?";
const state = mkdtempSync(join(tmpdir(), "agentry-demo-"));

afterAll(() => rmSync(state, { recursive: true, force: true }));

const demo = () => runBinary(["run", "-c", DEMO, PROMPT], { env: { AGENTRY_STATE_DIR: state } });

describe("the shipped demo (README's first command)", () => {
  test("runs offline: the replayed model calls the shell and file tools, which really execute", async () => {
    const result = await demo();
    expect(result.code).toBe(0);
    expect(result.stdout).toStartWith("The workspace holds two files");
    expect(result.stderr).toContain("✓ sh");
    expect(result.stderr).toContain("✓ files");
  });

  test("four processes appending to one audit log leave it verifiable", async () => {
    const results = await Promise.all([demo(), demo(), demo(), demo()]);
    for (const result of results) expect(result.code).toBe(0);
    const audit = join(state, "audit.jsonl");
    const verify = await runBinary(["audit", "verify", audit], { env: { AGENTRY_STATE_DIR: state } });
    expect(verify.stderr).toBe("");
    expect(verify.code).toBe(0);
    const runs = new Set(
      readFileSync(audit, "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { run_id: string }).run_id),
    );
    expect(runs.size).toBe(5);
  });
});

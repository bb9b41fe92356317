import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/index.ts";
import { runBinary } from "../support/binary.ts";

const dir = mkdtempSync(join(tmpdir(), "agentry-audit-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sampleLog(name: string, output = (i: number) => `output ${i}`): Promise<string> {
  const path = join(dir, name);
  const log = openAuditLog(path, { clock: () => new Date("2025-05-06T07:08:09.000Z") });
  for (const [run, agent, tool] of [
    ["r1", "ops", "sh"],
    ["r2", "research", "web"],
  ] as const) {
    log.append({ type: "run_start", run_id: run, agent, model: "replay/demo" });
    for (let i = 0; i < 2; i++) {
      log.append({
        type: "tool_call",
        run_id: run,
        agent,
        call_id: `c${i}`,
        tool,
        args: { n: i },
        decision: "executed",
        ok: true,
        output: output(i),
        duration_ms: 2,
      });
    }
    log.append({ type: "run_end", run_id: run, agent, status: "ok", stop_reason: "answer" });
  }
  await log.close();
  return path;
}

function editLines(path: string, edit: (lines: string[]) => string[]): void {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  writeFileSync(path, `${edit(lines).join("\n")}\n`);
}

describe("agentry audit verify", () => {
  test("an intact log verifies", async () => {
    const result = await runBinary(["audit", "verify", await sampleLog("ok.jsonl")]);
    expect(result.stdout).toBe("ok: 8 records, 2 runs\n");
    expect(result.code).toBe(0);
  });

  test("records whose strings hold U+2028 or U+2029 verify and show (each is one line)", async () => {
    // JSON.stringify leaves both unescaped; Bun's readline ended a line at them, so a tool output
    // holding one made the log "not valid JSON" there and nothing after it was verified.
    const path = await sampleLog("separators.jsonl", (i) => `page ${i}\u2028next\u2029end`);
    const verified = await runBinary(["audit", "verify", path]);
    expect(verified.stderr).toBe("");
    expect(verified.stdout).toBe("ok: 8 records, 2 runs\n");
    expect(verified.code).toBe(0);
    editLines(path, (lines) => lines.map((line, i) => (i === 6 ? line.replace("page 1", "page X") : line)));
    const tampered = await runBinary(["audit", "verify", path]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("line 7: hash mismatch");
    const shown = await runBinary(["audit", "show", path, "--tool", "sh"]);
    expect(shown.stderr).toBe("");
    expect(shown.stdout.trimEnd().split("\n")).toHaveLength(2);
  });

  test("a tampered line is named with its number (exit 1)", async () => {
    const path = await sampleLog("tampered.jsonl");
    editLines(path, (lines) =>
      lines.map((line, i) => (i === 2 ? line.replace("output 1", "output X") : line)),
    );
    const result = await runBinary(["audit", "verify", path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("line 3: hash mismatch");
  });

  test("a deleted line is detected at the right line", async () => {
    const path = await sampleLog("deleted.jsonl");
    editLines(path, (lines) => lines.filter((_, i) => i !== 5));
    const result = await runBinary(["audit", "verify", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 6: run r2: seq 3 follows seq 1");
  });

  test("a reordered line is detected at the right line", async () => {
    const path = await sampleLog("reordered.jsonl");
    editLines(path, (lines) => [lines[0], lines[2], lines[1], ...lines.slice(3)] as string[]);
    const result = await runBinary(["audit", "verify", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 2: run r1: seq 3 follows seq 1");
  });

  test("without FILE the config's [audit].path is used; a missing log is exit 2", async () => {
    const path = await sampleLog("configured.jsonl");
    const config = join(dir, "agentry.toml");
    writeFileSync(config, `[audit]\npath = "${path}"\n`);
    const result = await runBinary(["audit", "verify", "-c", config]);
    expect(result.stdout).toBe("ok: 8 records, 2 runs\n");
    const missing = await runBinary(["audit", "verify", join(dir, "nope.jsonl")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("audit log not found");
  });
});

describe("agentry audit show", () => {
  test("one line per record, filtered by run, agent and tool", async () => {
    const path = await sampleLog("show.jsonl");
    const all = await runBinary(["audit", "show", path]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines[1]).toBe(
      '2025-05-06T07:08:09.000Z  r1  ops  tool_call  sh  {"n":0}  executed  ok  output 0',
    );
    const byRun = await runBinary(["audit", "show", path, "--run", "r2"]);
    expect(
      byRun.stdout
        .trimEnd()
        .split("\n")
        .every((line) => line.includes("  r2  research  ")),
    ).toBe(true);
    expect(byRun.stdout.trimEnd().split("\n")).toHaveLength(4);
    const byTool = await runBinary(["audit", "show", path, "--tool", "sh"]);
    expect(byTool.stdout.trimEnd().split("\n")).toHaveLength(2);
    const byAgent = await runBinary(["audit", "show", path, "--agent", "ops", "--tool", "web"]);
    expect(byAgent.stdout).toBe("");
  });
});

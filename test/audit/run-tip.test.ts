import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/index.ts";
import { findRunTip, type RunTip } from "../../src/audit/run-tip.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentry-run-tip-"));
  dirs.push(dir);
  return join(dir, "audit.jsonl");
}

const fixed = () => new Date("2025-01-02T03:04:05.000Z");

/** The whole-file forward scan `findRunTip` replaced: the reference its answers must equal. */
function forwardScan(path: string, runId: string): RunTip {
  const tip: RunTip = { seq: 0, hash: undefined, subRuns: 0 };
  const needle = `"run_id":${JSON.stringify(runId)}`;
  const subNeedle = `${needle.slice(0, -1)}.`;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.includes(needle) && !line.includes(subNeedle)) continue;
    try {
      const parsed = JSON.parse(line) as { seq?: unknown; hash?: unknown; run_id?: unknown };
      if (parsed.run_id === runId && typeof parsed.seq === "number" && typeof parsed.hash === "string") {
        if (parsed.seq > tip.seq) {
          tip.seq = parsed.seq;
          tip.hash = parsed.hash;
        }
      } else if (typeof parsed.run_id === "string" && parsed.run_id.startsWith(`${runId}.`)) {
        const suffix = parsed.run_id.slice(runId.length + 1);
        if (/^[1-9]\d{0,8}$/.test(suffix)) tip.subRuns = Math.max(tip.subRuns, Number(suffix));
      }
    } catch {
      /* corrupt */
    }
  }
  return tip;
}

type Step =
  | { run: string; start: true }
  | { run: string; args: Record<string, unknown> }
  | { corrupt: string };

/** Writes the steps in order: `run_start` records, `tool_call` records with `args`, raw corrupt lines. */
async function writeLog(path: string, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if ("corrupt" in step) {
      appendFileSync(path, step.corrupt);
      continue;
    }
    const log = openAuditLog(path, { clock: fixed });
    if ("start" in step) {
      log.append({ type: "run_start", run_id: step.run, agent: "ops", model: "m" });
    } else {
      log.continueChain(step.run);
      log.append({
        type: "tool_call",
        run_id: step.run,
        agent: "ops",
        call_id: "c",
        tool: "sh",
        args: step.args,
      } as never);
    }
    await log.close();
  }
}

/** Every chunk size from 1 to 80 bytes, and some larger: line and character boundaries fall everywhere. */
const CHUNKS = [...Array.from({ length: 80 }, (_, i) => i + 1), 127, 1000, 4096, 256 * 1024];

function expectSameEverywhere(path: string, runIds: string[]): void {
  for (const runId of runIds) {
    const expected = forwardScan(path, runId);
    for (const chunk of CHUNKS) {
      const found = findRunTip(path, runId, chunk);
      if (JSON.stringify(found) !== JSON.stringify(expected))
        throw new Error(
          `${runId} with ${chunk}-byte chunks: ${JSON.stringify(found)} != ${JSON.stringify(expected)}`,
        );
    }
  }
}

describe("findRunTip reads the audit log backwards from its end", () => {
  test("equals the whole-file scan for every run at every chunk size: multi-byte text, decoys, sub-agents, corrupt lines", async () => {
    const path = tempFile();
    await writeLog(path, [
      { run: "r1", start: true },
      { run: "r2", start: true },
      { run: "r1", args: { command: "echo héllo wörld € 😀 日本語" } },
      { run: "r1.1", start: true },
      { run: "r2", args: { run_id: "r1", type: "run_start", seq: 99, hash: "decoy" } },
      { run: "r1.1", args: { note: "ünïcödé".repeat(9) } },
      { corrupt: '{"run_id":"r1","seq":1000,"hash":"cut\n' },
      { run: "r10.7", start: true },
      { run: "r1.3", start: true },
      { run: "r1.x", start: true },
      { run: "r1.2.5", start: true },
      { run: "r2", args: { nested: { run_id: "r1.40" } } },
      { run: "r1", args: { run_id: "r1.50", emoji: "🙂🙃".repeat(20) } },
      { corrupt: "not json at all\n\n" },
      { run: "r2", args: { command: "€".repeat(30) } },
      { corrupt: '{"run_id":"r1","seq":2000,"hash":"no newline at the end"' },
    ]);
    expectSameEverywhere(path, ["r1", "r2", "r1.1", "r10", "r1.2", "r3"]);
    expect(findRunTip(path, "r1", 7)).toMatchObject({ seq: 3, subRuns: 3 });
    expect(findRunTip(path, "r2", 7)).toMatchObject({ seq: 4, subRuns: 0 });
    expect(findRunTip(path, "r10", 7)).toMatchObject({ seq: 0, hash: undefined, subRuns: 7 });
  });

  test("a run far from the end: thousands of other runs' lines after it", async () => {
    const path = tempFile();
    await writeLog(path, [
      { run: "early", start: true },
      { run: "early", args: { command: "first ✓" } },
    ]);
    const log = openAuditLog(path, { clock: fixed });
    for (let i = 0; i < 3000; i++) {
      const run = `other-${i % 7}`;
      if (i < 7) log.append({ type: "run_start", run_id: run, agent: "ops", model: "m" });
      log.append({ type: "tool_call", run_id: run, agent: "ops", call_id: `c${i}`, tool: "sh" } as never);
    }
    await log.close();
    await writeLog(path, [
      { run: "early", args: { command: "last ✓" } },
      { run: "early.2", start: true },
    ]);
    for (const chunk of [64, 4096, 256 * 1024])
      expect(findRunTip(path, "early", chunk)).toEqual(forwardScan(path, "early"));
    expect(findRunTip(path, "early")).toMatchObject({ seq: 3, subRuns: 2 });
  });

  test("stops at the run's run_start: lines before it are never read", async () => {
    const path = tempFile();
    await writeLog(path, [
      { run: "r1.9", start: true },
      { run: "r1", start: true },
      { run: "r1", args: { command: "before the restart" } },
      { run: "r1", start: true },
      { run: "r1.2", start: true },
    ]);
    // The first three lines are a chain of r1 (and a sub-agent) before its latest run_start: a
    // scan that read them would answer seq 2 and sub-agent 9.
    for (const chunk of [5, 64, 256 * 1024])
      expect(findRunTip(path, "r1", chunk)).toMatchObject({ seq: 1, subRuns: 2 });
  });

  test("a missing file is the file system's ENOENT; an empty file holds no run", () => {
    const path = tempFile();
    expect(() => findRunTip(path, "r1")).toThrow(expect.objectContaining({ code: "ENOENT" }));
    appendFileSync(path, "");
    expect(findRunTip(path, "r1")).toEqual({ seq: 0, hash: undefined, subRuns: 0 });
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuditReadError,
  canonicalJson,
  genesisOf,
  openAuditLog,
  recordHash,
  verifyAuditFile,
} from "../../src/audit/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentry-audit-"));
  dirs.push(dir);
  return join(dir, "nested", "audit.jsonl");
}

const fixed = () => new Date("2025-01-02T03:04:05.000Z");

async function writeRun(path: string, runId: string, calls: number): Promise<void> {
  const log = openAuditLog(path, { clock: fixed });
  log.append({ type: "run_start", run_id: runId, agent: "ops", model: "m" });
  for (let i = 0; i < calls; i++) {
    log.append({
      type: "tool_call",
      run_id: runId,
      agent: "ops",
      call_id: `c${i}`,
      tool: "sh",
      args: { command: `echo ${i}` },
      decision: "executed",
      ok: true,
      duration_ms: 1,
    });
  }
  log.append({ type: "run_end", run_id: runId, agent: "ops", status: "ok", stop_reason: "answer" });
  await log.close();
}

describe("canonicalJson", () => {
  test("sorts keys at every depth and follows JSON.stringify for the rest", () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: Number.NaN }, undefined], e: "x" })).toBe(
      '{"a":[{"c":null},null],"b":1,"e":"x"}',
    );
  });
});

describe("openAuditLog", () => {
  test("writes per-run hash chains that verify", async () => {
    const path = tempFile();
    await writeRun(path, "r1", 2);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r["seq"])).toEqual([1, 2, 3, 4]);
    expect(records[0]?.["prev"]).toBe(genesisOf("r1"));
    expect(records[1]?.["prev"]).toBe(records[0]?.["hash"]);
    const keys = Object.keys(records[1] ?? {});
    expect(keys.at(-1)).toBe("hash");
    expect(keys.slice(0, -1)).toEqual([...keys.slice(0, -1)].sort());
    const { hash, ...rest } = records[1] as Record<string, unknown>;
    expect(recordHash(String(rest["prev"]), rest)).toBe(String(hash));
    expect(await verifyAuditFile(path)).toEqual({ ok: true, records: 4, runs: 1, warnings: [] });
  });

  test("concurrent runs in one process and several writers on one file stay verifiable", async () => {
    const path = tempFile();
    const a = openAuditLog(path);
    const b = openAuditLog(path);
    for (const log of [a, b]) log.append({ type: "run_start", run_id: log === a ? "ra" : "rb", agent: "x" });
    for (let i = 0; i < 200; i++) {
      const log = i % 3 === 0 ? a : b;
      log.append({ type: "secret_use", run_id: log === a ? "ra" : "rb", agent: "x", name: `K${i}` });
      if (i % 50 === 0) await Promise.all([a.flush(), b.flush()]);
    }
    for (const log of [a, b])
      log.append({
        type: "run_end",
        run_id: log === a ? "ra" : "rb",
        agent: "x",
        status: "ok",
        stop_reason: "answer",
      });
    await Promise.all([a.close(), b.close()]);
    expect(await verifyAuditFile(path)).toEqual({ ok: true, records: 204, runs: 2, warnings: [] });
  });

  test("a run continued by another writer (resume) extends its chain from the file", async () => {
    const path = tempFile();
    const first = openAuditLog(path);
    first.append({ type: "run_start", run_id: "r1", agent: "ops" });
    first.append({
      type: "run_end",
      run_id: "r1",
      agent: "ops",
      status: "awaiting_approval",
      stop_reason: "awaiting_approval",
    });
    await first.close();
    const second = openAuditLog(path);
    second.append({
      type: "approval",
      run_id: "r1",
      agent: "ops",
      approval_id: "r1-c1",
      tool: "sh",
      decision: "approve",
    });
    second.append({ type: "run_end", run_id: "r1", agent: "ops", status: "ok", stop_reason: "answer" });
    second.flushSync();
    await second.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 4, runs: 1 });
  });

  test("a long-lived log lets a run's chain go once its run_end is written; a later record continues from the file", async () => {
    const approval = (id: string) => ({
      type: "approval" as const,
      run_id: "r1",
      agent: "ops",
      approval_id: id,
      tool: "sh",
      decision: "approve" as const,
    });
    const deferred = (log: ReturnType<typeof openAuditLog>) => {
      log.append({ type: "run_start", run_id: "r1", agent: "ops" });
      log.append({
        type: "run_end",
        run_id: "r1",
        agent: "ops",
        status: "awaiting_approval",
        stop_reason: "awaiting_approval",
      });
      log.flushSync();
    };
    // the same log, later (a server approving the deferred run): the chain goes on unbroken
    const path = tempFile();
    const log = openAuditLog(path, { clock: fixed });
    deferred(log);
    log.append(approval("r1-c1"));
    await log.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 3, runs: 1 });
    // proof the tip came from the file, not from memory: keep only run_start, then append
    const other = tempFile();
    const held = openAuditLog(other, { clock: fixed });
    deferred(held);
    const [first] = readFileSync(other, "utf8").split("\n");
    writeFileSync(other, `${first}\n`);
    held.append(approval("r1-c2"));
    await held.close();
    const seqs = readFileSync(other, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).seq);
    expect(seqs).toEqual([1, 2]);
  });

  test("every line is the canonical JSON of its record, whatever the key order it was given in", async () => {
    const path = tempFile();
    const log = openAuditLog(path, { clock: fixed });
    const nested = { z: [{ b: 1, a: "x" }], a: { d: 2, c: undefined } };
    log.append({ type: "run_start", run_id: "r", agent: "a", model: "m" });
    log.append({
      agent: "a",
      args: nested,
      call_id: "c1",
      decision: "executed",
      duration_ms: 1,
      ok: true,
      run_id: "r",
      tool: "sh",
      type: "tool_call",
    });
    log.append({
      zeta: 1,
      type: "secret_use",
      run_id: "r",
      agent: "a",
      name: "K",
      args: nested,
      alpha: "",
      seq: 7,
    });
    log.append({
      agent: "a",
      args: nested,
      call_id: "c2",
      decision: "executed",
      duration_ms: 2,
      ok: true,
      prev: undefined,
      run_id: "r",
      seq: undefined,
      tool: "sh",
      ts: undefined,
      type: "tool_call",
    });
    log.append({
      agent: "a",
      prev: "forged",
      run_id: "r",
      ts: "forged",
      type: "run_end",
      status: "ok",
      stop_reason: "x",
    });
    await log.close();
    const lines = readFileSync(path, "utf8").trim().split("\n");
    for (const line of lines) {
      const { hash, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(line).toBe(`${canonicalJson(rest).slice(0, -1)},"hash":"${String(hash)}"}`);
      expect(rest["ts"]).toBe("2025-01-02T03:04:05.000Z");
    }
    expect(JSON.parse(lines[3] ?? "")).toMatchObject({ seq: 4, call_id: "c2", args: { a: { d: 2 } } });
    expect(JSON.parse(lines[4] ?? "")).toMatchObject({ seq: 5, status: "ok" });
    expect(JSON.parse(lines[4] ?? "")["prev"]).toBe(JSON.parse(lines[3] ?? "")["hash"]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 5 });
  });

  test("a record is left as it was given, unless it holds the slots the audit layer hands over", async () => {
    const path = tempFile();
    const log = openAuditLog(path, { clock: fixed });
    const start = { type: "run_start", run_id: "r", agent: "a", model: "m" } as const;
    const plain = { agent: "a", args: { b: 1, a: 2 }, run_id: "r", type: "run_end", status: "ok" } as const;
    const slotted = {
      agent: "a",
      args: { b: 1, a: 2 },
      call_id: "c1",
      decision: "executed",
      duration_ms: 1,
      ok: true,
      prev: undefined,
      run_id: "r",
      seq: undefined,
      tool: "sh",
      ts: undefined,
      type: "tool_call",
    } as const;
    const copies = [structuredClone(start), structuredClone(plain)];
    log.append(start);
    log.append(plain as never);
    log.append({ ...slotted });
    await log.close();
    expect([start, plain]).toEqual(copies as never);
    expect(Object.keys(start)).toEqual(Object.keys(copies[0] ?? {}));
    expect(Object.keys(plain.args)).toEqual(["b", "a"]);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(JSON.parse(lines[2] ?? "")).toMatchObject({
      seq: 3,
      args: { a: 2, b: 1 },
      ts: "2025-01-02T03:04:05.000Z",
    });
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 3 });
  });

  test("without an injected clock ts is the current time in ISO form", async () => {
    const path = tempFile();
    const log = openAuditLog(path);
    const before = Date.now();
    log.append({ type: "run_start", run_id: "r", agent: "a" });
    log.append({ type: "run_end", run_id: "r", agent: "a", status: "ok", stop_reason: "answer" });
    const after = Date.now();
    await log.close();
    for (const line of readFileSync(path, "utf8").trim().split("\n")) {
      const ts = Date.parse(String((JSON.parse(line) as Record<string, unknown>)["ts"]));
      expect(ts).toBeGreaterThanOrEqual(before);
      expect(ts).toBeLessThanOrEqual(after);
    }
  });

  test("appending after close throws; reserved fields cannot be overridden", async () => {
    const path = tempFile();
    const log = openAuditLog(path);
    log.append({ type: "run_start", run_id: "r", agent: "a", seq: 99, hash: "x" });
    await log.close();
    expect(() => log.append({ type: "run_start", run_id: "r2", agent: "a" })).toThrow(/closed/);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ seq: 1 });
  });
});

describe("verifyAuditFile", () => {
  async function tampered(edit: (lines: string[]) => string[]): Promise<unknown> {
    const path = tempFile();
    await writeRun(path, "r1", 4);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    writeFileSync(path, `${edit(lines).join("\n")}\n`);
    return verifyAuditFile(path);
  }

  test("an edited line is reported with its line number", async () => {
    const result = await tampered((lines) => {
      lines[2] = (lines[2] as string).replace("echo 1", "echo X");
      return lines;
    });
    expect(result).toEqual({ ok: false, line: 3, reason: "hash mismatch: the record was modified" });
  });

  test("a deleted line is reported where the gap appears", async () => {
    const result = await tampered((lines) => lines.filter((_, i) => i !== 2));
    expect(result).toMatchObject({
      ok: false,
      line: 3,
      reason: expect.stringContaining("seq 4 follows seq 2"),
    });
  });

  test("reordered lines are reported at the first moved line", async () => {
    const result = await tampered(
      (lines) => [lines[0], lines[1], lines[3], lines[2], ...lines.slice(4)] as string[],
    );
    expect(result).toMatchObject({
      ok: false,
      line: 3,
      reason: expect.stringContaining("removed or reordered"),
    });
  });

  test("a truncated last line and a removed first record are detected", async () => {
    expect(
      await tampered((lines) => [...lines.slice(0, -1), (lines.at(-1) as string).slice(0, 40)]),
    ).toMatchObject({ ok: false, line: 6, reason: expect.stringContaining("not valid JSON") });
    expect(await tampered((lines) => lines.slice(1))).toMatchObject({
      ok: false,
      line: 1,
      reason: expect.stringContaining("starts at seq 2"),
    });
  });

  test("a rewritten record with a recomputed hash breaks the next record's prev", async () => {
    const result = await tampered((lines) => {
      const record = JSON.parse(lines[2] as string) as Record<string, unknown>;
      record["args"] = { command: "rm -rf /" };
      const { hash: _old, ...rest } = record;
      lines[2] = JSON.stringify({ ...rest, hash: recordHash(String(rest["prev"]), rest) });
      return lines;
    });
    expect(result).toMatchObject({
      ok: false,
      line: 4,
      reason: expect.stringContaining("prev does not match"),
    });
  });

  test("removing a run's trailing records including run_end is only a warning", async () => {
    const result = await tampered((lines) => lines.slice(0, -2));
    expect(result).toMatchObject({ ok: true, records: 4, runs: 1 });
    expect((result as { warnings: string[] }).warnings[0]).toContain("run r1 has no final run_end");
  });
});

describe("continuing a run's chain (issue 12 item 17)", () => {
  test("a missing file starts the chain at genesis", () => {
    const path = tempFile();
    const log = openAuditLog(path, { clock: fixed });
    expect(() => log.continueChain("r1")).not.toThrow();
    log.append({ type: "policy_stop", run_id: "r1", agent: "ops", reason: "budget" });
    log.flushSync();
    const record = JSON.parse(readFileSync(path, "utf8")) as { prev: string; seq: number };
    expect(record.prev).toBe(genesisOf("r1"));
    expect(record.seq).toBe(1);
  });

  test("a log that exists but cannot be read stops with AuditReadError (exit 2) and never forks the chain", () => {
    const path = tempFile();
    mkdirSync(path, { recursive: true });
    const log = openAuditLog(path, { clock: fixed });
    let error: unknown;
    try {
      log.continueChain("r1");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AuditReadError);
    expect((error as AuditReadError).exitCode).toBe(2);
    expect((error as Error).message).toContain("EISDIR");
    expect(() =>
      log.append({ type: "tool_call", run_id: "r2", agent: "ops", call_id: "c1", tool: "sh" } as never),
    ).toThrow(AuditReadError);
  });

  test("continuing a run tells how many sub-agent runs (<run>.<n>) it already has in the log", async () => {
    const path = tempFile();
    await writeRun(path, "r1", 1);
    await writeRun(path, "r1.1", 1);
    await writeRun(path, "r1.3", 0);
    await writeRun(path, "r10.7", 1);
    await writeRun(path, "r1.x", 1);
    const log = openAuditLog(path, { clock: fixed });
    expect(log.continueChain("r1")).toBe(3);
    expect(log.continueChain("r10")).toBe(7);
    expect(log.continueChain("r2")).toBe(0);
    await log.close();
  });

  test("a run's own record whose arguments name one of its sub-agent runs still continues its chain", async () => {
    const path = tempFile();
    await writeRun(path, "r1", 1);
    const first = openAuditLog(path, { clock: fixed });
    first.append({
      type: "approval",
      run_id: "r1",
      agent: "ops",
      approval_id: "a1",
      tool: "runs",
      decision: "approve",
      args: { run_id: "r1.4" },
    });
    await first.close();
    const log = openAuditLog(path, { clock: fixed });
    expect(log.continueChain("r1")).toBe(0);
    log.append({ type: "policy_stop", run_id: "r1", agent: "ops", reason: "budget" });
    await log.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true });
  });

  test("continuing a run reads the file even when this log holds the run's chain: another process may have added to it", async () => {
    const path = tempFile();
    const server = openAuditLog(path, { clock: fixed });
    server.append({ type: "run_start", run_id: "r1", agent: "ops" });
    server.append({
      type: "approval",
      run_id: "r1",
      agent: "ops",
      approval_id: "a1",
      tool: "sh",
      decision: "defer",
    });
    await server.flush();
    const cli = openAuditLog(path, { clock: fixed });
    cli.append({
      type: "approval",
      run_id: "r1",
      agent: "ops",
      approval_id: "a1",
      tool: "sh",
      decision: "approve",
    });
    await cli.close();
    server.continueChain("r1");
    server.append({ type: "run_end", run_id: "r1", agent: "ops", status: "ok", stop_reason: "answer" });
    await server.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 4, warnings: [] });
  });

  test("an existing chain is continued where it stopped", async () => {
    const path = tempFile();
    await writeRun(path, "r1", 2);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    const last = JSON.parse(lines.at(-1) as string) as { hash: string; seq: number };
    const log = openAuditLog(path, { clock: fixed });
    log.continueChain("r1");
    log.append({ type: "policy_stop", run_id: "r1", agent: "ops", reason: "budget" });
    await log.close();
    const added = JSON.parse(readFileSync(path, "utf8").trim().split("\n").at(-1) as string) as {
      prev: string;
      seq: number;
    };
    expect(added.prev).toBe(last.hash);
    expect(added.seq).toBe(last.seq + 1);
    expect((await verifyAuditFile(path)).ok).toBe(true);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/audit-log.ts";
import { verifyAuditFile } from "../../src/audit/verify.ts";
import { createPipeline, mergePolicy } from "../../src/middleware/index.ts";
import { CANCEL_GRACE_MS } from "../../src/middleware/timeout/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
import type { Approver } from "../../src/spec/approval.ts";
import type { Middleware } from "../../src/spec/middleware.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import type { ToolResult } from "../../src/spec/tool.ts";
import { callOf, fakeContext, fakeTool, manualClock } from "./support.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const approveOnce: Approver = async () => ({ decision: "approve", scope: "once", by: "tester" });

describe("createPipeline", () => {
  test("a call abandoned after its run stopped is audited as executed and failed, with tool_timeout = 0 too", async () => {
    for (const toolTimeout of [600_000, 0]) {
      const dir = mkdtempSync(join(tmpdir(), "agentry-pipeline-"));
      dirs.push(dir);
      const path = join(dir, "audit.jsonl");
      const audit = openAuditLog(path);
      const clock = manualClock();
      const pipeline = createPipeline({
        mode: "auto",
        audit,
        clock,
        policy: mergePolicy({}, { tool_timeout: toolTimeout }),
      });
      const run = new AbortController();
      const ctx = { ...fakeContext(clock), signal: run.signal };
      const ignores = fakeTool("sh", () => new Promise<ToolResult>(() => {}));
      audit.append({ type: "run_start", run_id: "run1", agent: "ops" });
      const pending = pipeline(ctx, {
        ...callOf(ignores, { command: "sleep 99" }, "c1"),
        signal: run.signal,
      });
      await Bun.sleep(0);
      run.abort(new RunStop("interrupted", "Ctrl-C"));
      clock.advance(CANCEL_GRACE_MS);
      const result = await pending;
      expect(result).toMatchObject({ ok: false, stop: { reason: "cancelled", by: "run" } });
      await audit.close();
      const records = readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records[1]).toMatchObject({
        type: "tool_call",
        call_id: "c1",
        decision: "executed",
        ok: false,
        error: expect.stringContaining("abandoned: the run stopped (interrupted)"),
      });
      expect(records[1]).not.toHaveProperty("refused_by");
    }
  });

  test("runs the tool through every layer: restores placeholders, redacts and frames output, audits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentry-pipeline-"));
    dirs.push(dir);
    const audit = openAuditLog(join(dir, "audit.jsonl"));
    const redactor = createRedactor();
    const email = "alice@example.com";
    const placeholder = redactor.redact(email);
    const lines: Record<string, unknown>[] = [];
    const tool = fakeTool("sh", async (args) => ({ ok: true, output: `mailed ${String(args["command"])}` }));
    const pipeline = createPipeline({
      mode: "auto",
      audit,
      log: (line) => lines.push(line),
      clock: manualClock(),
    });
    const ctx = fakeContext(undefined, "run1", { approver: approveOnce, redactor });
    const result = await pipeline(ctx, callOf(tool, { command: `mail ${placeholder}` }, "c1"));
    expect(tool.calls[0]).toEqual({ command: `mail ${email}` });
    expect(result.ok).toBe(true);
    expect(result.output).toContain(`mailed mail ${placeholder}`);
    expect(result.output).not.toContain(email);
    expect(result.output.startsWith("<tool_output tool='sh' call_id='c1' ok='true' untrusted='true'>")).toBe(
      true,
    );
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).not.toContain(email);
    await audit.close();
    const text = readFileSync(join(dir, "audit.jsonl"), "utf8");
    expect(text).not.toContain(email);
    const record = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(record["type"]).toBe("tool_call");
    expect(record["decision"]).toBe("executed");
    expect(record["approval"]).toEqual({ decision: "auto", by: "mode:auto" });
    expect(await verifyAuditFile(join(dir, "audit.jsonl"))).toMatchObject({ ok: true, records: 1, runs: 1 });
  });

  test("extra layers sit right after the named layer; unknown names are rejected", async () => {
    const order: string[] = [];
    const mark =
      (name: string): Middleware =>
      (_ctx, call, next) => {
        order.push(name);
        return next(call);
      };
    const tool = fakeTool("sh", async () => {
      order.push("tool");
      return { ok: true, output: "" };
    });
    const pipeline = createPipeline({
      mode: "auto",
      clock: manualClock(),
      extraLayers: [
        { after: "circuit-breaker", layer: mark("last") },
        { after: "exception-recovery", layer: mark("first") },
      ],
    });
    await pipeline(fakeContext(), callOf(tool));
    expect(order).toEqual(["first", "last", "tool"]);
    expect(() =>
      createPipeline({
        mode: "auto",
        extraLayers: [{ after: "nope", layer: mark("x") }],
      }),
    ).toThrow(/unknown layer "nope"/);
  });

  test("an extra layer calling next twice is caught: the tool runs once and the call fails", async () => {
    const twice: Middleware = async (_ctx, call, next) => {
      await next(call);
      return next(call);
    };
    const tool = fakeTool();
    const pipeline = createPipeline({
      mode: "auto",
      clock: manualClock(),
      extraLayers: [{ after: "rate-limit", layer: twice }],
    });
    const result = await pipeline(fakeContext(), callOf(tool));
    expect(result).toMatchObject({ ok: false, stop: { by: "exception" } });
    expect(result.error).toContain("more than once");
    expect(tool.calls).toHaveLength(1);
  });

  test("a throwing tool becomes a tool error and the run goes on", async () => {
    const tool = fakeTool("sh", async () => {
      throw new Error("boom");
    });
    const pipeline = createPipeline({
      mode: "auto",
      clock: manualClock(),
    });
    const result = await pipeline(fakeContext(), callOf(tool));
    expect(result).toMatchObject({ ok: false, stop: { by: "exception" } });
    expect(result.error).toContain("boom");
  });

  test("per-run state: loop counters of one run do not affect another, even one reusing its run id", async () => {
    const tool = fakeTool();
    const pipeline = createPipeline({
      mode: "auto",
      clock: manualClock(),
      policy: { loop: { max_repeats: 1 } },
    });
    const a = fakeContext(undefined, "a");
    expect((await pipeline(a, callOf(tool, { x: 1 }))).ok).toBe(true);
    expect((await pipeline(a, callOf(tool, { x: 1 }))).stop?.by).toBe("loop_detection");
    expect((await pipeline(fakeContext(undefined, "b"), callOf(tool, { x: 1 }))).ok).toBe(true);
    expect((await pipeline(fakeContext(undefined, "a"), callOf(tool, { x: 1 }))).ok).toBe(true);
  });
});

describe("mergePolicy", () => {
  test("agent keys win per section, deny lists are united, tool_timeout falls back", () => {
    const merged = mergePolicy(
      { loop: { max_repeats: 5 }, approval: { tools: ["sh"], deny: ["sh:rm *"] }, tool_timeout: 1000 },
      { loop: { max_text_repeats: 2 }, approval: { tools: ["web"], deny: ["web:*"] } },
    );
    expect(merged).toEqual({
      loop: { max_repeats: 5, max_text_repeats: 2 },
      approval: { tools: ["web"], deny: ["sh:rm *", "web:*"] },
      tool_timeout: 1000,
    });
    expect(mergePolicy()).toEqual({});
  });
});

import { expect, test } from "bun:test";
import { redaction } from "../../src/middleware/redaction/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
import type { ToolResult } from "../../src/spec/tool.ts";
import { callOf, fakeContext, fakeTool, runTool } from "./support.ts";

test("placeholders in args become real values for the tool; output, error and meta are redacted", async () => {
  const redactor = createRedactor({ secrets: ["hunter2-secret"] });
  const placeholder = redactor.redact("ops@example.com");
  const tool = fakeTool("sh", async (args) => ({
    ok: false,
    output: `sent to ${String(args["to"])} with hunter2-secret`,
    error: "failed for ops@example.com",
    meta: { stderr: "token hunter2-secret" },
  }));
  const result = await redaction()(
    fakeContext(undefined, "run1", { redactor }),
    callOf(tool, { to: placeholder, n: [placeholder] }),
    runTool,
  );
  expect(tool.calls[0]).toEqual({ to: "ops@example.com", n: ["ops@example.com"] });
  expect(result.output).toBe(`sent to ${placeholder} with ${redactor.redact("hunter2-secret")}`);
  expect(result.error).toBe(`failed for ${placeholder}`);
  expect(JSON.stringify(result.meta)).not.toContain("hunter2-secret");
});

test("unknown placeholders are left as they are", async () => {
  const tool = fakeTool();
  await redaction()(fakeContext(), callOf(tool, { x: "[PII:email:abcdef]" }), runTool);
  expect(tool.calls[0]).toEqual({ x: "[PII:email:abcdef]" });
});

test("a secret in only one of output, error or meta is still redacted; a clean result passes as it is", async () => {
  const redactor = createRedactor({ secrets: ["hunter2-secret"] });
  const ctx = fakeContext(undefined, "run1", { redactor });
  const through = (result: ToolResult) =>
    redaction()(ctx, callOf(fakeTool("sh", async () => result)), runTool);
  const hidden = redactor.redact("hunter2-secret");
  expect((await through({ ok: true, output: "has hunter2-secret" })).output).toBe(`has ${hidden}`);
  const failed = await through({ ok: false, output: "", error: "bad hunter2-secret" });
  expect(failed.ok ? "" : failed.error).toBe(`bad ${hidden}`);
  expect((await through({ ok: true, output: "clean", meta: { note: "hunter2-secret" } })).meta).toEqual({
    note: hidden,
  });
  const clean: ToolResult = { ok: true, output: "nothing to hide", meta: { lines: 1 } };
  expect(await through(clean)).toBe(clean);
});

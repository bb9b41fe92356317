import { expect, test } from "bun:test";
import { redaction } from "../../src/middleware/redaction/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
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

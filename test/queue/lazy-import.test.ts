import { describe, expect, test } from "bun:test";
import { staticClosure } from "../support/static-imports.ts";

describe("the queue (BullMQ) is imported lazily", () => {
  for (const entry of [
    "src/cli/main.ts",
    "src/cli/commands/run.ts",
    "src/cli/commands/batch.ts",
    "src/cli/commands/approvals.ts",
    "src/index.ts",
    "src/runtime/runtime.ts",
  ]) {
    test(`${entry} reaches neither bullmq nor src/queue by static imports`, () => {
      const { files, packages } = staticClosure(entry);
      expect(files.size).toBeGreaterThan(3);
      expect([...packages].filter((name) => name.startsWith("bullmq"))).toEqual([]);
      expect([...files].filter((file) => file.includes("/src/queue/"))).toEqual([]);
    });
  }

  test("the scan sees bullmq where the queue commands import it", () => {
    expect(staticClosure("src/cli/commands/worker.ts").packages.has("bullmq")).toBe(true);
    expect(staticClosure("src/cli/commands/approvals-queue.ts").packages.has("bullmq")).toBe(true);
  });
});

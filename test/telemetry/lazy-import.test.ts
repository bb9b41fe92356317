import { describe, expect, test } from "bun:test";
import { ROOT, staticClosure } from "../support/static-imports.ts";

describe("the trace exporter is imported lazily", () => {
  for (const entry of [
    "src/cli/commands/run.ts",
    "src/cli/commands/batch.ts",
    "src/index.ts",
    "src/runtime/runtime.ts",
  ]) {
    test(`${entry} reaches only the telemetry settings by static imports, not the exporter or span encoder`, () => {
      const { files } = staticClosure(entry);
      expect(files.size).toBeGreaterThan(3);
      const telemetry = [...files]
        .filter((file) => file.includes("/src/telemetry/") || file.includes("/src/cli/render/report/"))
        .map((file) => file.slice(ROOT.length + 1));
      expect(telemetry.every((file) => file === "src/telemetry/settings.ts")).toBe(true);
    });
  }

  test("the scan sees the encoder where it is imported statically (the exporter, loaded when configured)", () => {
    const { files } = staticClosure("src/telemetry/export-run.ts");
    expect([...files].some((file) => file.endsWith("src/telemetry/otlp-spans.ts"))).toBe(true);
  });
});

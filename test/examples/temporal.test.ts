import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureLibraryBuilt, ROOT } from "../library/support.ts";

const EXAMPLE = join(ROOT, "examples/temporal");
const installed = existsSync(join(EXAMPLE, "node_modules/@temporalio/testing"));
const required = process.env["AGENTRY_TEST_TEMPORAL"] === "1";

describe("examples/temporal: agentry's library as a Temporal activity on Node", () => {
  test.skipIf(!installed && !required)(
    "heartbeats with progress and cancellation aborting the run, under MockActivityEnvironment (node --test); install with npm ci in examples/temporal",
    async () => {
      expect(installed).toBe(true);
      await ensureLibraryBuilt();
      const result = spawnSync("node", ["--test", "activity-tests.mjs"], {
        cwd: EXAMPLE,
        encoding: "utf8",
        timeout: 120_000,
        env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NO_COLOR: "1" },
      });
      expect(result.stdout).toContain("# pass 2");
      expect(result.stdout).toContain("# fail 0");
      expect(result.status).toBe(0);
    },
    180_000,
  );
});

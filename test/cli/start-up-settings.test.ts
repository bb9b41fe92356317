import { expect, test } from "bun:test";
import { join } from "node:path";
import { TIER_UP_CONCURRENCY } from "../../src/cli/jit-tier-up.ts";
import { restartForManyRuns, startUpSettingsFor } from "../../src/cli/start-up-settings.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockDefaultsToml, parseNdjson } from "../support/workspace.ts";

test("few runs need no start-up settings", () => {
  expect(startUpSettingsFor(8, { ftl: false }, {})).toEqual({});
  expect(startUpSettingsFor(128, { ftl: true }, {})).toEqual({});
});

test("more runs than half of Bun's 256 fetch slots raise the limit to twice the runs", () => {
  expect(startUpSettingsFor(129, { ftl: true }, {})).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "258" });
  expect(startUpSettingsFor(500, { ftl: true }, {})).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "1000" });
  expect(startUpSettingsFor(100_000, { ftl: true }, {})).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" });
});

test("a command without the top JIT tier turns FTL off from the tier-up concurrency on", () => {
  expect(startUpSettingsFor(TIER_UP_CONCURRENCY - 1, { ftl: false }, {})).toEqual({});
  expect(startUpSettingsFor(TIER_UP_CONCURRENCY, { ftl: false }, {})).toEqual({ BUN_JSC_useFTLJIT: "0" });
  expect(startUpSettingsFor(500, { ftl: false }, {})).toEqual({
    BUN_CONFIG_MAX_HTTP_REQUESTS: "1000",
    BUN_JSC_useFTLJIT: "0",
  });
});

test("what the environment already sets is left as it is, so a restarted process does not restart again", () => {
  const set = { BUN_CONFIG_MAX_HTTP_REQUESTS: "64", BUN_JSC_useFTLJIT: "1" };
  expect(startUpSettingsFor(500, { ftl: false }, set)).toEqual({});
  const restarted = { ...startUpSettingsFor(500, { ftl: false }, {}) };
  expect(startUpSettingsFor(500, { ftl: false }, restarted)).toEqual({});
});

test("a restart that fails is reported on stderr and the command goes on with Bun's defaults", () => {
  const entry = join(import.meta.dir, "../../cmd/agentry.ts");
  const argv = process.argv;
  const write = process.stderr.write;
  const tried: string[][] = [];
  const warnings: string[] = [];
  process.argv = [process.execPath, entry, "batch", "jobs.jsonl", "--concurrency", "500"];
  process.stderr.write = ((text: string) => {
    warnings.push(text);
    return true;
  }) as typeof process.stderr.write;
  try {
    restartForManyRuns(500, { ftl: false }, {}, (file, args) => {
      tried.push([file, ...args]);
      throw new Error("execve failed: ENOENT");
    });
  } finally {
    process.argv = argv;
    process.stderr.write = write;
  }
  expect(tried).toEqual([
    [process.execPath, process.execPath, entry, "batch", "jobs.jsonl", "--concurrency", "500"],
  ]);
  expect(warnings).toEqual([
    "warning: could not restart with BUN_CONFIG_MAX_HTTP_REQUESTS, BUN_JSC_useFTLJIT set (execve failed: ENOENT); running with Bun's defaults\n",
  ]);
});

const fixture = e2eFixture();

test("bun running cmd/agentry.ts in a checkout restarts as bun with the script again: `batch -` runs every job", async () => {
  // process.execPath is bun there; restarting it with the arguments alone ran `bun batch …`.
  const mock = await fixture.mock(() => ({ text: "done" }));
  const ws = fixture.workspace(`${mockDefaultsToml(mock.baseUrls.openai, "a")}\n[agents.a]\n`);
  const jobs = ["j1", "j2"].map((id) => JSON.stringify({ id, prompt: id })).join("\n");
  const child = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "../../cmd/agentry.ts"),
      "batch",
      "-c",
      ws.configPath,
      "--concurrency",
      "300",
      "-",
    ],
    {
      cwd: ws.dir,
      env: {
        PATH: process.env["PATH"],
        HOME: process.env["HOME"],
        NO_COLOR: "1",
        AGENTRY_STATE_DIR: ws.stateDir,
      },
      stdin: new Blob([`${jobs}\n`]),
      stdout: "pipe",
      stderr: "pipe",
      timeout: 60_000,
    },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const result = { stdout, stderr, code };
  expect(result.stderr).not.toContain("not found");
  expect(result.code).toBe(0);
  expect(
    parseNdjson(result.stdout)
      .map((line) => line["id"])
      .sort(),
  ).toEqual(["j1", "j2"]);
});

import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureLibraryBuilt, ROOT } from "./support.ts";

const HOST = join(ROOT, "examples/embed/host.mjs");
const BUN = join(ROOT, "node_modules/.bin/bun");

beforeAll(async () => {
  await ensureLibraryBuilt();
}, 120_000);

function runHost(runtime: string) {
  const result = spawnSync(runtime, [HOST, "What is the weather in Oslo?"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("examples/embed/host.mjs, importing the built package by name", () => {
  test("runs on Node (≥ 20): the agent calls the tool defined in code and answers", () => {
    const version = spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim();
    expect(Number(/^v(\d+)/.exec(version)?.[1])).toBeGreaterThanOrEqual(20);
    const result = runHost("node");
    expect(result.stderr).toContain('tool weather {"city":"Oslo"}');
    expect(result.stdout).toBe("The forecast for Oslo is 7°C and light rain.\n");
    expect(result.code).toBe(0);
  });

  test("runs on Bun the same way", () => {
    const result = runHost(BUN);
    expect(result.stderr).toContain("status ok (answer), 2 turns");
    expect(result.stdout).toBe("The forecast for Oslo is 7°C and light rain.\n");
    expect(result.code).toBe(0);
  });
});

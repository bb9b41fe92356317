import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ServerState } from "../../src/server/server-state.ts";
import { tempDirs } from "../support/deferred-run.ts";

const tempDir = tempDirs();

test("the server lock: a live server on this host keeps it; one written on another host or in another PID namespace (a container restarted after a crash) is taken over with a warning", () => {
  const dir = tempDir("agentry-serve-lock-");
  const state = new ServerState(dir);
  const path = join(dir, "server", "serve.lock");
  const warnings: string[] = [];
  const release = state.lock((message) => warnings.push(message));
  expect(() => state.lock((message) => warnings.push(message))).toThrow(
    `is in use by process ${process.pid}`,
  );
  release();
  expect(existsSync(path)).toBe(false);

  for (const foreign of [
    { pid: 1, host: "old-container", nonce: "00" },
    { pid: 1, host: hostname(), nonce: "00", pidns: "pid:[1]" },
  ]) {
    writeFileSync(path, JSON.stringify(foreign));
    const taken = state.lock((message) => warnings.push(message));
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    taken();
  }
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toContain("names process 1 on old-container");
  expect(warnings[1]).toContain("another PID namespace");
});

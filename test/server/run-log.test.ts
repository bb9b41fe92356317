import { expect, test } from "bun:test";
import { lastSeqOf, RunLog } from "../../src/server/run-log.ts";

test("frames get ids runId:1.. and a follower after seq N sees the rest, then the end", () => {
  const log = new RunLog("run-a");
  log.push("data: 1\n\n");
  log.push("data: 2\n\n");
  const seen: (string | undefined)[] = [];
  const stop = log.follow(1, (frame) => seen.push(frame?.text));
  log.push("data: 3\n\n");
  log.end();
  log.push("data: late\n\n");
  stop();
  expect(seen).toEqual(["id: run-a:2\ndata: 2\n\n", "id: run-a:3\ndata: 3\n\n", undefined]);
  expect(log.texts()).toHaveLength(3);
});

test("a saved log replays and ends at once", () => {
  const log = new RunLog("run-b", ["id: run-b:1\ndata: x\n\n"], true);
  const seen: (string | undefined)[] = [];
  log.follow(0, (frame) => seen.push(frame?.text));
  expect(seen).toEqual(["id: run-b:1\ndata: x\n\n", undefined]);
});

test("Last-Event-ID must name this run and a sequence number", () => {
  expect(lastSeqOf(null, "run-a")).toBe(0);
  expect(lastSeqOf("run-a:17", "run-a")).toBe(17);
  expect(lastSeqOf("r:un-a:3", "r:un-a")).toBe(3);
  expect(lastSeqOf("run-b:17", "run-a")).toBeUndefined();
  expect(lastSeqOf("run-a:-1", "run-a")).toBeUndefined();
  expect(lastSeqOf("run-a:1e3", "run-a")).toBeUndefined();
});

import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
});

/** An event with the fields that legitimately differ between two runs removed. */
function stable(event: Record<string, unknown>): Record<string, unknown> {
  const { ts: _ts, run_id: _run, duration_ms: _duration, ttft_ms: _ttft, session: _session, ...rest } = event;
  if (rest.type === "run_start" || rest.type === "usage") rest.model = "(model)";
  return rest;
}

/**
 * The events with each run of consecutive `tool_result` events sorted by id: the calls of one turn
 * run concurrently, so the order in which their results arrive is not part of the contract.
 */
function inCallOrder(events: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let results: Record<string, unknown>[] = [];
  const flush = () => {
    out.push(...results.sort((a, b) => String(a.id).localeCompare(String(b.id))));
    results = [];
  };
  for (const event of events) {
    if (event.type === "tool_result") results.push(event);
    else {
      flush();
      out.push(event);
    }
  }
  flush();
  return out;
}

describe("--record then --replay", () => {
  test("a replayed run is identical to the recorded one and talks to no provider", async () => {
    mock = await startMockProvider({
      turns: [
        {
          text: "Looking.",
          toolCalls: [
            { id: "r1", name: "sh", arguments: { command: "echo recorded" } },
            { id: "r2", name: "files", arguments: { op: "list", path: "." } },
          ],
          usage: { inputTokens: 120, outputTokens: 30 },
        },
        { text: "Both tools answered.", usage: { inputTokens: 200, outputTokens: 12 } },
      ],
    });
    ws = makeWorkspace(`
[defaults]
agent = "rec"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
allow = ["echo *"]
env = ["PATH"]

[tools.files]
kind = "file"
root = "."

[agents.rec]
tools = ["sh", "files"]
mode = "auto"
`);
    ws.write("data.txt", "x\n");
    mkdirSync(ws.stateDir, { mode: 0o700 });
    const env = { AGENTRY_STATE_DIR: ws.stateDir };
    const cassette = `${ws.dir}/run.cassette.jsonl`;
    const recorded = await runBinary(
      ["run", "-c", ws.configPath, "--output", "ndjson", "--record", cassette, "go"],
      {
        cwd: ws.dir,
        env,
      },
    );
    expect(recorded.code).toBe(0);
    await mock.close();
    const replayed = await runBinary(
      ["run", "-c", ws.configPath, "--output", "ndjson", "--replay", cassette, "go"],
      {
        cwd: ws.dir,
        env,
      },
    );
    expect(replayed.code).toBe(0);
    expect(inCallOrder(parseNdjson(replayed.stdout).map(stable))).toEqual(
      inCallOrder(parseNdjson(recorded.stdout).map(stable)),
    );

    const diverged = await runBinary(
      ["run", "-c", ws.configPath, "--replay", cassette, "a different prompt"],
      {
        cwd: ws.dir,
        env,
      },
    );
    expect(diverged.code).toBe(1);
    expect(diverged.stderr).toContain("turn 1");
  });
});

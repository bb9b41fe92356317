import { afterEach, describe, expect, test } from "bun:test";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary, startBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
});

async function setup(latencyMs: number) {
  mock = await startMockProvider({
    turns: (request) => {
      const messages = (request.body as { messages: { content: string }[] }).messages;
      return { text: `done: ${messages.at(-1)?.content}` };
    },
    latencyMs,
  });
  ws = makeWorkspace(`
[defaults]
agent = "w"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[agents.w]
`);
  return ws;
}

describe("batch edge cases", () => {
  test("Ctrl-C stops a batch cleanly and reports which jobs finished", async () => {
    const workspace = await setup(300);
    const jobs = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `j${i}`, prompt: `p${i}` })).join(
      "\n",
    );
    const file = workspace.write("jobs.jsonl", jobs);
    const running = startBinary(["batch", file, "-c", workspace.configPath, "--concurrency", "2"], {
      cwd: workspace.dir,
      env: { HOME: undefined, AGENTRY_STATE_DIR: workspace.stateDir },
    });
    while (!running.stdout().includes("\n")) await Bun.sleep(20);
    running.child.kill("SIGINT");
    const { code, stdout, stderr } = await running.finished;
    expect(code).toBe(130);
    const lines = parseNdjson(stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(40);
    expect(stderr).toMatch(/interrupted: \d+ of 40 jobs finished/);
    for (const line of lines.filter((l) => l.status === "ok")) expect(stderr).toContain(String(line.id));
  });

  test("a concurrency above Bun's fetch limit re-executes with more HTTP slots and still answers every job", async () => {
    const workspace = await setup(0);
    const file = workspace.write(
      "jobs.jsonl",
      Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `j${i}`, prompt: `p${i}` })).join("\n"),
    );
    const result = await runBinary(
      ["batch", file, "-c", workspace.configPath, "--concurrency", "300", "-q"],
      {
        cwd: workspace.dir,
        env: { AGENTRY_STATE_DIR: workspace.stateDir },
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(
      parseNdjson(result.stdout)
        .map((line) => line.answer)
        .sort(),
    ).toEqual(["p0", "p1", "p2", "p3", "p4"].map((p) => `done: ${p}`));
  });

  test("a malformed jobs file is a usage error naming the line", async () => {
    const workspace = await setup(0);
    const file = workspace.write("jobs.jsonl", '{"id":"a","prompt":"x"}\n{"id":"b"}\n');
    const result = await runBinary(["batch", file, "-c", workspace.configPath], {
      cwd: workspace.dir,
      env: { AGENTRY_STATE_DIR: workspace.stateDir },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("jobs.jsonl:2: prompt");
  });

  test("one failing job never affects another", async () => {
    const workspace = await setup(0);
    const file = workspace.write(
      "jobs.jsonl",
      [
        '{"id":"good","prompt":"x"}',
        '{"id":"bad","agent":"nobody","prompt":"y"}',
        '{"id":"also","prompt":"z"}',
      ].join("\n"),
    );
    const result = await runBinary(["batch", file, "-c", workspace.configPath, "-q"], {
      cwd: workspace.dir,
      env: { AGENTRY_STATE_DIR: workspace.stateDir },
    });
    expect(result.code).toBe(1);
    const byId = Object.fromEntries(parseNdjson(result.stdout).map((line) => [line.id, line]));
    expect(byId.good).toMatchObject({ status: "ok", answer: "done: x" });
    expect(byId.also).toMatchObject({ status: "ok", answer: "done: z" });
    expect(byId.bad).toMatchObject({ status: "failed" });
  });
});

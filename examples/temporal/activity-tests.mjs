// Run by `node --test` (npm test here), never by bun test (hence not *.test.mjs).
// The activity under @temporalio/testing's MockActivityEnvironment (no Temporal server), on Node,
// against agentry's mock provider: heartbeats carry the run's progress, and cancelling the
// activity aborts the run and kills its tool's process.
//   npm ci && npm test        (in examples/temporal, after `npm run build` at the repository root)
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CancelledFailure } from "@temporalio/activity";
import { MockActivityEnvironment } from "@temporalio/testing";
import { startMockProvider } from "agentry/testing";
import { createActivities } from "./activities.mjs";

let mock;
let dir;
let activities;

function scripted(request) {
  const messages = request.body.messages;
  const prompt = messages.find((message) => message.role === "user")?.content ?? "";
  const done = messages.filter((message) => message.role === "tool").length;
  const commands = prompt.startsWith("run:") ? prompt.slice(4).split(" && ") : [];
  if (done < commands.length) return { toolCalls: [{ name: "sh", arguments: { command: commands[done] } }] };
  return { text: `done: ${prompt}` };
}

before(async () => {
  mock = await startMockProvider({ turns: scripted });
  dir = mkdtempSync(join(tmpdir(), "agentry-temporal-"));
  const config = join(dir, "agentry.toml");
  writeFileSync(
    config,
    `[defaults]
agent = "w"
model = "mock/gpt-4.1-mini"

[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
retries = 0

[tools.sh]
kind = "shell"

[agents.w]
tools = ["sh"]
mode = "auto"
`,
  );
  activities = createActivities({ configPath: config, runtimeOptions: { stateDir: join(dir, "state") } });
});

after(async () => {
  await activities.close();
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the activity heartbeats with the run's progress and returns its result", async () => {
  const env = new MockActivityEnvironment();
  const beats = [];
  env.on("heartbeat", (details) => beats.push(details));
  const result = await env.run(activities.runAgent, { prompt: "run:echo one && echo two" });
  assert.equal(result.status, "ok");
  assert.equal(result.answer, "done: run:echo one && echo two");
  assert.match(result.run_id, /^r/);
  assert.ok(beats.length >= 3, `heartbeats: ${JSON.stringify(beats)}`);
  assert.ok(beats.every((beat) => beat.run_id === result.run_id));
  assert.deepEqual(
    beats.map((beat) => beat.tool_calls).filter((count, index, all) => all.indexOf(count) === index),
    [0, 1, 2],
  );
  assert.equal(beats.at(-1).last_tool, "sh");
});

test("cancelling the activity aborts the run and kills its tool's process", async () => {
  const env = new MockActivityEnvironment();
  const pidFile = join(dir, "tool.pid");
  const running = env.run(activities.runAgent, {
    prompt: `run:sh -c 'echo $$ > ${pidFile}; exec sleep 60'`,
  });
  let pid = 0;
  for (let i = 0; i < 400 && !pid; i++) {
    if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, "utf8").trim());
    if (!pid) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.ok(pid > 0, "the tool started");
  process.kill(pid, 0);
  env.cancel();
  await assert.rejects(running, (err) => err instanceof CancelledFailure);
  assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
});

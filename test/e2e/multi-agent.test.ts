import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MockProvider } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { lastOf, systemOf } from "../support/mock-turns.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

const e2e = e2eFixture();

/** Blocks this process (not the binary under test) until `path` exists, for at most 20 s. */
function waitForFile(path: string): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 20_000 && !existsSync(path); waited += 10) Atomics.wait(tick, 0, 0, 10);
}

function providers(main: MockProvider, broken?: MockProvider): string {
  return `
${mockProviderToml(main.baseUrls.openai)}${broken ? mockProviderToml(broken.baseUrls.openai, { name: "broken" }) : ""}`;
}

/**
 * A workspace with agent `lead` as default on `main`, a `sh` shell tool and agent `bad`, whose
 * model always answers HTTP 400 (a hard failure), after `beforeFailing` returns; `agents` declares
 * `lead` and the others.
 */
async function withFailingAgent(main: MockProvider, agents: string, beforeFailing?: () => void) {
  const broken = await e2e.mock(() => ({ text: "never" }), {
    faults: () => {
      beforeFailing?.();
      return { status: 400 };
    },
  });
  return e2e.workspace(`
[defaults]
agent = "lead"
model = "mock/gpt-4.1-mini"
${providers(main, broken)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]

[agents.bad]
instructions = "BAD"
model = "broken/gpt-4.1-mini"
mode = "auto"
${agents}`);
}

/**
 * Agent `boss` (default, on `main`, mode auto) with a `sh` tool that may only `echo` and a
 * `delegate` tool `helper` of `maxTurns` turns; `policy` is added to `[agents.boss]`.
 */
function delegatingBoss(main: MockProvider, maxTurns: number, policy = ""): void {
  e2e.workspace(`
[defaults]
agent = "boss"
model = "mock/gpt-4.1-mini"
${providers(main)}
[tools.sh]
kind = "shell"
allow = ["echo *"]
env = ["PATH"]

[tools.helper]
kind = "delegate"
max_turns = ${maxTurns}

[agents.boss]
instructions = "BOSS"
tools = ["sh", "helper"]
mode = "auto"
${policy}
`);
}

/**
 * Agents `top` → `middle` → `bottom` (each delegates once per call; `top` starts `middle`
 * `branches` times in one turn) under `[limits] LIMITS`, with `extraDefaults` in `[defaults]`.
 */
async function threeLevels(branches: number, limits: string, extraDefaults = ""): Promise<void> {
  const main = await e2e.mock((request) => {
    const system = systemOf(request);
    if (lastOf(request).role !== "user") return { text: `${system} done` };
    if (system === "TOP")
      return {
        toolCalls: Array.from({ length: branches }, (_, i) => ({
          id: `m${i}`,
          name: "agent_middle",
          arguments: { task: `branch ${i}` },
        })),
      };
    if (system === "MIDDLE")
      return { toolCalls: [{ id: "b1", name: "agent_bottom", arguments: { task: "deepest" } }] };
    return { text: "bottom reached" };
  });
  e2e.workspace(`
[defaults]
agent = "top"
model = "mock/gpt-4.1-mini"
${extraDefaults}
${providers(main)}
[limits]
${limits}

[agents.top]
instructions = "TOP"
tools = ["agent:middle"]
mode = "auto"
[agents.middle]
instructions = "MIDDLE"
tools = ["agent:bottom"]
mode = "auto"
[agents.bottom]
instructions = "BOTTOM"
`);
}

describe("sub-agents, flows and batch on the compiled binary", () => {
  test("three sub-agents in parallel: one fails hard, the other two are cancelled before their tools write", async () => {
    const main = await e2e.mock((request) => {
      const system = systemOf(request);
      if (system.includes("LEAD")) {
        if (lastOf(request).role === "user") {
          return {
            toolCalls: [
              { id: "k1", name: "agent_slow1", arguments: { task: "write one" } },
              { id: "k2", name: "agent_slow2", arguments: { task: "write two" } },
              { id: "k3", name: "agent_bad", arguments: { task: "fail" } },
            ],
          };
        }
        return { text: "lead saw the results" };
      }
      const file = system.includes("SLOW1") ? "slow1.txt" : "slow2.txt";
      if (lastOf(request).role === "user") {
        return {
          toolCalls: [{ id: "w", name: "sh", arguments: { command: `sleep 2 && echo late > ${file}` } }],
        };
      }
      return { text: "wrote it" };
    });
    const ws = await withFailingAgent(
      main,
      `
[agents.lead]
instructions = "LEAD"
tools = ["agent:slow1", "agent:slow2", "agent:bad"]
mode = "auto"

[agents.slow1]
instructions = "SLOW1"
tools = ["sh"]
mode = "auto"

[agents.slow2]
instructions = "SLOW2"
tools = ["sh"]
mode = "auto"
`,
    );
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const root = events[0]?.run_id;
    const results = events.filter((e) => e.type === "tool_result" && e.run_id === root);
    expect(results).toHaveLength(3);
    const byName = Object.fromEntries(results.map((e) => [e.name, e]));
    expect(byName.agent_bad?.ok).toBe(false);
    expect(String(byName.agent_slow1?.error)).toContain("cancelled because agent_bad");
    expect(String(byName.agent_slow2?.error)).toContain("cancelled because agent_bad");
    expect(events.filter((e) => e.type === "subagent_end")).toHaveLength(3);
    await Bun.sleep(2500);
    expect(existsSync(join(ws.dir, "slow1.txt"))).toBe(false);
    expect(existsSync(join(ws.dir, "slow2.txt"))).toBe(false);
  });

  test("a sibling killed or abandoned after a sub-agent's hard failure is no tool failure and does not reset the consecutive count", async () => {
    const siblings = [
      // Dies at once when cancelled: its failure comes after the turn cancelled it (stopped by the run).
      { command: "touch ready; sleep 3", error: "cancelled; the command and its children were killed" },
      // Ignores SIGTERM: abandoned after the grace.
      { command: "trap '' TERM; touch ready; sleep 3", error: "abandoned: cancelled because agent_bad" },
    ];
    for (const sibling of siblings) {
      const lead = await e2e.mock([
        { toolCalls: [{ id: "f1", name: "sh", arguments: { command: "exit 3" } }] },
        {
          toolCalls: [
            { id: "k1", name: "agent_bad", arguments: { task: "fail" } },
            { id: "k2", name: "sh", arguments: { command: sibling.command } },
          ],
        },
        { toolCalls: [{ id: "f3", name: "sh", arguments: { command: "exit 4" } }] },
        { text: "went on failing" },
      ]);
      // agent_bad fails only once k2 runs (and, when it traps, ignores SIGTERM).
      let dir = "";
      const ws = await withFailingAgent(
        lead,
        `
[agents.lead]
tools = ["sh", "agent:bad"]
mode = "auto"
[agents.lead.policy]
failures = { max_consecutive = 2 }
`,
        () => waitForFile(join(dir, "ready")),
      );
      dir = ws.dir;
      const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
      const events = parseNdjson(result.stdout);
      const root = events[0]?.run_id;
      const results = events.filter((e) => e.type === "tool_result" && e.run_id === root);
      const k2 = results.find((e) => e.id === "k2");
      expect(String(k2?.error)).toStartWith(sibling.error);
      expect(k2?.stopped_by).toBe("run");
      // f1, k1 and f3 failed one after the other: k2, ended by its turn, is neither a failure nor a success.
      expect(result.code).toBe(1);
      expect(events.at(-1)).toMatchObject({ type: "run_end", status: "failed", stop_reason: "tool_error" });
      expect(results.find((e) => e.id === "f3")?.error).toContain(
        "failure limit exceeded: 3 consecutive tool failures",
      );
    }
  });

  test("a fallback flow picks the second agent when the first fails", async () => {
    const main = await e2e.mock(() => ({ text: "answer from second" }));
    const broken = await e2e.mock(() => ({ text: "never" }), { faults: () => ({ status: 400 }) });
    e2e.workspace(`
[defaults]
agent = "first"
model = "mock/gpt-4.1-mini"
${providers(main, broken)}
[agents.first]
model = "broken/gpt-4.1-mini"
[agents.second]
instructions = "second"

[flows.pick]
kind = "fallback"
steps = ["first", "second"]
`);
    const result = await e2e.agentry(["run", "pick", "question"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("answer from second\n");
  });

  test("a parallel flow with vote = majority returns the majority answer", async () => {
    const main = await e2e.mock((request) => ({ text: systemOf(request).includes("C") ? "blue" : "Green" }));
    e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"
${providers(main)}
[agents.a]
instructions = "A"
[agents.b]
instructions = "B"
[agents.c]
instructions = "C"

[flows.ask]
kind = "parallel"
vote = "majority"
steps = ["a", "b", "c"]
`);
    const result = await e2e.agentry(["run", "ask", "--output", "json", "colour?"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "ok", answer: "Green" });
  });

  test("a sequence flow hands each step the previous result", async () => {
    const main = await e2e.mock((request) => ({
      text: systemOf(request).includes("FIRST")
        ? "first-result"
        : `second saw: ${lastOf(request).content.includes("first-result")}`,
    }));
    e2e.workspace(`
[defaults]
agent = "one"
model = "mock/gpt-4.1-mini"
${providers(main)}
[agents.one]
instructions = "FIRST"
[agents.two]
instructions = "SECOND"

[flows.pipeline]
kind = "sequence"
steps = ["one", "two"]
`);
    const result = await e2e.agentry(["run", "pipeline", "go"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("second saw: true\n");
  });

  test("the depth limit is enforced", async () => {
    await threeLevels(1, "max_depth = 1");
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const refused = events.find((e) => e.type === "tool_result" && e.name === "agent_bottom");
    expect(String(refused?.error)).toContain("depth limit (1)");
    expect(events.some((e) => e.type === "subagent_start" && e.child_agent === "bottom")).toBe(false);
  });

  test("max_concurrency = 1 with sub-agents three deep: a sub-agent waiting for its own lends its slot, so the run ends", async () => {
    await threeLevels(2, "max_concurrency = 1", 'timeout = "20s"');
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "ok", stop_reason: "answer" });
    const starts = events.filter((e) => e.type === "subagent_start").map((e) => e.child_run_id);
    const ends = events.filter((e) => e.type === "subagent_end").map((e) => e.child_run_id);
    expect(starts).toHaveLength(4);
    expect([...ends].sort()).toEqual([...starts].sort());
    expect(events.filter((e) => e.type === "subagent_end").every((e) => e.status === "ok")).toBe(true);
  });

  test("sub-agents cancelled while they wait for a slot still end: every subagent_start has its subagent_end", async () => {
    const main = await e2e.mock((request) => {
      const system = systemOf(request);
      if (system === "TOP" && lastOf(request).role === "user")
        return {
          toolCalls: [
            { id: "k1", name: "agent_bad", arguments: { task: "fail" } },
            { id: "k2", name: "agent_fine", arguments: { task: "one" } },
            { id: "k3", name: "agent_fine", arguments: { task: "two" } },
          ],
        };
      return { text: `${system} done` };
    });
    const broken = await e2e.mock(() => ({ text: "never" }), { faults: () => ({ status: 400 }) });
    e2e.workspace(`
[defaults]
agent = "top"
model = "mock/gpt-4.1-mini"
${providers(main, broken)}
[limits]
max_concurrency = 1

[agents.top]
instructions = "TOP"
tools = ["agent:bad", "agent:fine"]
mode = "auto"
[agents.bad]
instructions = "BAD"
model = "broken/gpt-4.1-mini"
[agents.fine]
instructions = "FINE"
`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const starts = events.filter((e) => e.type === "subagent_start").map((e) => e.child_run_id);
    const ends = events.filter((e) => e.type === "subagent_end");
    expect(starts).toHaveLength(3);
    expect(ends.map((e) => e.child_run_id).sort()).toEqual([...starts].sort());
    expect(ends.filter((e) => e.stop_reason === "cancelled")).toHaveLength(2);
    const fine = events.filter((e) => e.type === "tool_result" && e.name === "agent_fine");
    expect(fine).toHaveLength(2);
    for (const result of fine)
      expect(String(result.error)).toMatch(
        /^sub-agent "fine" cancelled (before it started )?because agent_bad/,
      );
  });

  test("delegate: an ephemeral sub-agent gets a subset of tools, never delegate itself", async () => {
    const main = await e2e.mock((request) => {
      const body = request.body as { tools?: { function: { name: string } }[] };
      const tools = (body.tools ?? []).map((tool) => tool.function.name).sort();
      if (systemOf(request).startsWith("You are a focused sub-agent")) {
        if (lastOf(request).role === "user") {
          return {
            toolCalls: [
              { id: "e1", name: "sh", arguments: { command: `echo child-tools=${tools.join(",")}` } },
            ],
          };
        }
        return {
          text: `child result: ${lastOf(request).content.includes("child-tools=sh") ? "only sh" : "wrong tools"}`,
        };
      }
      if (lastOf(request).role === "user") {
        return {
          toolCalls: [{ id: "g1", name: "helper", arguments: { goal: "list things", tools: ["sh"] } }],
        };
      }
      return { text: `parent got: ${lastOf(request).content.includes("only sh") ? "ok" : "bad"}` };
    });
    e2e.workspace(`
[defaults]
agent = "boss"
model = "mock/gpt-4.1-mini"
${providers(main)}
[tools.sh]
kind = "shell"
allow = ["echo *"]
env = ["PATH"]

[tools.files]
kind = "file"
root = "."

[tools.helper]
kind = "delegate"
max_turns = 3

[agents.boss]
instructions = "BOSS"
tools = ["sh", "files", "helper"]
mode = "auto"
`);
    const result = await e2e.agentry(["run", "go"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("parent got: ok\n");
  });

  test("the text view shows a sub-agent's tool calls and their outcome, indented under its name", async () => {
    const main = await e2e.mock((request) => {
      if (systemOf(request).startsWith("You are a focused sub-agent")) {
        if (lastOf(request).role === "user")
          return {
            toolCalls: [
              { id: "c1", name: "sh", arguments: { command: "echo from-child" } },
              { id: "c2", name: "sh", arguments: { command: "rm -rf /tmp/nothing-here" } },
            ],
          };
        return { text: "child done" };
      }
      if (lastOf(request).role === "user")
        return { toolCalls: [{ id: "c1", name: "helper", arguments: { goal: "say hello", tools: ["sh"] } }] };
      return { text: "parent done" };
    });
    delegatingBoss(main, 3);
    const result = await e2e.agentry(["run", "go"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("parent done\n");
    const lines = result.stderr.split("\n");
    const child = lines.filter((line) => line.startsWith("  "));
    expect(child.some((line) => /^ {2}\S+: → sh .*echo from-child/.test(line))).toBe(true);
    expect(child.some((line) => /^ {2}\S+: ✓ sh /.test(line))).toBe(true);
    expect(child.some((line) => /^ {2}\S+: ✗ sh .*\[tool_policy\].*rm -rf/.test(line))).toBe(true);
    // The parent's own call (same id c1 as the child's first) keeps its unindented lines.
    expect(lines.some((line) => line.startsWith("→ helper "))).toBe(true);
    expect(lines.some((line) => line.startsWith("✓ helper "))).toBe(true);
    expect(result.stdout).not.toContain("child done");
  });

  test("delegate: the ephemeral sub-agent spends only what is left of its parent's budget", async () => {
    const usage = { inputTokens: 10, outputTokens: 10 };
    let childTurns = 0;
    const main = await e2e.mock((request) => {
      if (systemOf(request).startsWith("You are a focused sub-agent")) {
        childTurns += 1;
        return {
          toolCalls: [{ id: `e${childTurns}`, name: "sh", arguments: { command: `echo ${childTurns}` } }],
          usage,
        };
      }
      if (lastOf(request).role === "user") {
        return { toolCalls: [{ id: "g1", name: "helper", arguments: { goal: "keep working" } }], usage };
      }
      return { text: "parent done", usage };
    });
    delegatingBoss(main, 8);
    const result = await e2e.agentry(["run", "--output", "ndjson", "--budget-tokens", "50", "go"]);
    const events = parseNdjson(result.stdout);
    // 20 tokens per response: the parent's first leaves 30, so the child stops after its second.
    expect(events.find((e) => e.type === "subagent_end")).toMatchObject({
      status: "stopped",
      stop_reason: "budget",
    });
    expect(childTurns).toBe(2);
    expect(result.code).toBe(3);
  });

  test("delegate: the ephemeral sub-agent's calls count against its parent's rate limit", async () => {
    const main = await e2e.mock((request) => {
      const done = (request.body as { messages: { role: string }[] }).messages.filter(
        (m) => m.role === "tool",
      );
      if (systemOf(request).startsWith("You are a focused sub-agent")) {
        if (done.length >= 3) return { text: "child done" };
        return {
          toolCalls: [
            { id: `c${done.length + 1}`, name: "sh", arguments: { command: `echo c${done.length + 1}` } },
          ],
        };
      }
      if (done.length === 0)
        return { toolCalls: [{ id: "p1", name: "sh", arguments: { command: "echo p1" } }] };
      // Each max_turns is another configuration of the ephemeral agent: it must not buy a new bucket.
      if (done.length === 1)
        return {
          toolCalls: [
            { id: "g1", name: "helper", arguments: { goal: "echo things", max_turns: 4 } },
            { id: "g2", name: "helper", arguments: { goal: "echo things", max_turns: 5 } },
          ],
        };
      return { text: "parent done" };
    });
    delegatingBoss(main, 5, "policy = { rate = { per_minute = 5 } }");
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const shell = parseNdjson(result.stdout).filter((e) => e.type === "tool_result" && e.name === "sh");
    // p1, g1 and g2 take three of the five calls a minute: two are left for both children.
    expect(shell).toHaveLength(7);
    expect(shell.filter((e) => e.ok)).toHaveLength(3);
    expect(shell.filter((e) => e.stopped_by === "rate_limit")).toHaveLength(4);
  });

  test("batch: 200 jobs against the mock all come back correct", async () => {
    const main = await e2e.mock((request) => ({ text: `answer to ${lastOf(request).content}` }));
    const ws = e2e.workspace(`
[defaults]
agent = "solo"
model = "mock/gpt-4.1-mini"
${providers(main)}
[agents.solo]
instructions = "batch"
`);
    const jobs = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ id: `j${i}`, prompt: `job ${i}` }),
    ).join("\n");
    const jobsFile = ws.write("jobs.jsonl", jobs);
    const result = await e2e.agentry(["batch", jobsFile, "--concurrency", "25", "-q"]);
    expect(result.code).toBe(0);
    const lines = parseNdjson(result.stdout);
    expect(lines).toHaveLength(200);
    for (const line of lines) {
      expect(line.status).toBe("ok");
      expect(line.answer).toBe(`answer to job ${String(line.id).slice(1)}`);
    }
    expect(new Set(lines.map((line) => line.id)).size).toBe(200);
  });
});

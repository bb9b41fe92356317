import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { EventSchemas } from "@ag-ui/core/schemas";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import {
  readSse,
  type ServerProcess,
  type SseMessage,
  startServerProcess,
} from "../support/server-process.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../support/workspace.ts";

const TOKEN = "test-operator-token-0123456789abcdefABCDEF";
const APPROVER = "test-approver-token-0123456789abcdefABCDEF";
const ANSWER = "The deployment is healthy: 3 of 3 replicas ready, no restarts in the last hour.";

type Json = Record<string, unknown>;
interface InterruptView {
  id: string;
  expiresAt: string;
  reason: string;
  toolCallId?: string;
  tool?: string;
  metadata?: Json;
}
interface InterruptList {
  interrupts: InterruptView[];
}

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
const servers: ServerProcess[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop("SIGKILL");
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

function config(baseUrl: string, agentExtra = 'mode = "auto"'): string {
  return `
[defaults]
agent = "ops"
model = "mock/gpt-4.1-mini"

${mockProviderToml(baseUrl)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]

[audit]
path = "audit.jsonl"

[agents.ops]
description = "operations"
tools = ["sh"]
${agentExtra}
`;
}

async function setup(
  turns: MockTurn[],
  options: { agentExtra?: string; textChunkSize?: number; frameGapMs?: number } = {},
) {
  mock = await startMockProvider({
    turns,
    ...(options.textChunkSize ? { textChunkSize: options.textChunkSize } : {}),
    ...(options.frameGapMs ? { faults: () => ({ frameGapMs: options.frameGapMs }) } : {}),
  });
  ws = makeWorkspace(config(mock.baseUrls.openai, options.agentExtra));
  return ws;
}

async function serve(
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<ServerProcess> {
  if (!ws) throw new Error("no workspace");
  const server = await startServerProcess(["--listen", "127.0.0.1:0", "-c", ws.configPath, ...args], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, AGENTRY_SERVER_TOKEN: TOKEN, ...env },
  });
  servers.push(server);
  return server;
}

function auth(token = TOKEN, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${token}`, ...extra };
}

function startRun(server: ServerProcess, body: Record<string, unknown>, token = TOKEN): Promise<Response> {
  return fetch(`${server.url}/v1/agents/ops/runs`, {
    method: "POST",
    headers: auth(token, { "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ messages: [], tools: [], context: [], ...body }),
  });
}

function userMessage(text: string) {
  return [{ id: "m1", role: "user", content: text }];
}

function textOf(messages: SseMessage[]): string {
  return messages
    .filter((m) => m.data["type"] === "TEXT_MESSAGE_CONTENT")
    .map((m) => m.data["delta"])
    .join("");
}

function expectAguiEvents(messages: SseMessage[], runId: string): void {
  messages.forEach((message, index) => {
    expect(message.id).toBe(`${runId}:${index + 1}`);
    const parsed = EventSchemas.safeParse(message.data);
    if (!parsed.success) throw new Error(`not an AG-UI event: ${JSON.stringify(message.data)}`);
  });
}

describe("agentry serve on the compiled binary", () => {
  test("every API request needs the token (401), a foreign Origin is refused (403), no wildcard CORS", async () => {
    await setup([]);
    const server = await serve();
    const agents = `${server.url}/v1/agents`;
    expect((await fetch(agents)).status).toBe(401);
    expect((await fetch(agents, { headers: auth(`${TOKEN}x`) })).status).toBe(401);
    expect((await fetch(agents, { headers: { Authorization: TOKEN } })).status).toBe(401);
    const foreign = await fetch(agents, { headers: auth(TOKEN, { Origin: "https://evil.example" }) });
    expect(foreign.status).toBe(403);
    const preflight = await fetch(agents, { method: "OPTIONS", headers: { Origin: "https://evil.example" } });
    expect(preflight.status).toBe(403);
    const ok = await fetch(agents, { headers: auth(TOKEN, { Origin: server.url }) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBeNull();
    expect(await ok.json()).toEqual({
      agents: [{ name: "ops", description: "operations", model: "mock/gpt-4.1-mini", default: true }],
    });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    const runs = await startRun(server, { threadId: "t1", messages: userMessage("hi") }, "short");
    expect(runs.status).toBe(401);
    expect(mock?.requests).toHaveLength(0);
  });

  test("without AGENTRY_SERVER_TOKEN a 256-bit token is generated into <state>/server.token (0600), named, never printed", async () => {
    await setup([]);
    const server = await serve([], { AGENTRY_SERVER_TOKEN: undefined });
    const path = join(ws?.stateDir ?? "", "server.token");
    const token = readFileSync(path, "utf8").trim();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(server.stderr()).toContain(path);
    expect(server.stderr()).not.toContain(token);
    expect((await fetch(`${server.url}/v1/agents`, { headers: auth(token) })).status).toBe(200);
  });

  test("a non-loopback bind without TLS or --behind-proxy exits 2; a short token exits 2", async () => {
    await setup([]);
    const env = { AGENTRY_STATE_DIR: ws?.stateDir, AGENTRY_SERVER_TOKEN: TOKEN };
    const open = await runBinary(["serve", "--listen", "0.0.0.0:0", "-c", ws?.configPath ?? ""], { env });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain("without TLS");
    const short = await runBinary(["serve", "--listen", "127.0.0.1:0", "-c", ws?.configPath ?? ""], {
      env: { ...env, AGENTRY_SERVER_TOKEN: "tooshort" },
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("at least 32 characters");
  });

  test("request bodies are capped (413) and must be JSON (415)", async () => {
    await setup([]);
    const server = await serve(["--max-body", "4KiB"]);
    const big = await fetch(`${server.url}/v1/agents/ops/runs`, {
      method: "POST",
      headers: auth(TOKEN, { "Content-Type": "application/json" }),
      body: JSON.stringify({ threadId: "t", messages: userMessage("x".repeat(8000)) }),
    });
    expect(big.status).toBe(413);
    const form = await fetch(`${server.url}/v1/interrupts/x`, {
      method: "POST",
      headers: auth(TOKEN, { "Content-Type": "text/plain" }),
      body: '{"decision":"approve"}',
    });
    expect(form.status).toBe(415);
  });

  test("a streamed run's AG-UI text equals the mock's answer; every event has id runId:seq", async () => {
    await setup([{ text: ANSWER }]);
    const server = await serve();
    const response = await startRun(server, {
      threadId: "thread-a",
      runId: "run-a",
      messages: userMessage("status?"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const messages = await readSse(response);
    expectAguiEvents(messages, "run-a");
    expect(messages[0]?.data).toMatchObject({ type: "RUN_STARTED", threadId: "thread-a", runId: "run-a" });
    expect(textOf(messages)).toBe(ANSWER);
    expect(messages.at(-1)?.data).toMatchObject({
      type: "RUN_FINISHED",
      outcome: { type: "success" },
      result: ANSWER,
    });
    const summary = (await (
      await fetch(`${server.url}/v1/runs/run-a`, { headers: auth() })
    ).json()) as Record<string, unknown>;
    expect(summary).toMatchObject({
      runId: "run-a",
      status: "ok",
      summary: { type: "run_end", answer: ANSWER },
    });
    const again = await startRun(server, {
      threadId: "thread-b",
      runId: "run-a",
      messages: userMessage("x"),
    });
    expect(again.status).toBe(409);
  });

  test("a client that disconnects mid-run loses no event: Last-Event-ID replays, then follows", async () => {
    const answer = `${ANSWER} Streamed text is released once 64 more characters follow it. ${ANSWER}`;
    await setup([{ text: answer }], { textChunkSize: 2, frameGapMs: 15 });
    const server = await serve();
    const first = await readSse(
      await startRun(server, { threadId: "t", runId: "run-d", messages: userMessage("go") }),
      5,
    );
    expect(first).toHaveLength(5);
    const resumed = await fetch(`${server.url}/v1/runs/run-d/events`, {
      headers: auth(TOKEN, { "Last-Event-ID": first.at(-1)?.id ?? "" }),
    });
    const rest = await readSse(resumed);
    const all = [...first, ...rest];
    expectAguiEvents(all, "run-d");
    expect(rest.length).toBeGreaterThan(5);
    expect(textOf(all)).toBe(answer);
    expect(all.at(-1)?.data["type"]).toBe("RUN_FINISHED");
    const replay = await readSse(await fetch(`${server.url}/v1/runs/run-d/events`, { headers: auth() }));
    expect(replay.map((m) => m.data)).toEqual(all.map((m) => m.data));
  });
});

describe("stopping runs", () => {
  const sleeper = (marker: string): MockTurn => ({
    toolCalls: [{ id: "slow", name: "sh", arguments: { command: `sleep ${marker}; echo never` } }],
  });

  /** A sleep duration no other process uses, so the process table check sees only this test's tool. */
  function uniqueMarker(): string {
    return `30.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  }

  /** Waits until a `sleep MARKER` process exists (`present`) or no longer does. */
  async function processGone(marker: string, present: boolean): Promise<void> {
    while (sleeping(marker) !== present) await Bun.sleep(20);
  }

  function sleeping(marker: string): boolean {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .some((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8")
            .replaceAll("\0", " ")
            .includes(`sleep ${marker}`);
        } catch {
          return false;
        }
      });
  }

  test("DELETE cancels a running run: its tool process tree is killed and the stream ends cancelled", async () => {
    const marker = uniqueMarker();
    await setup([sleeper(marker), { text: "unreachable" }]);
    const server = await serve();
    const response = await startRun(server, { threadId: "c", runId: "run-c", messages: userMessage("wait") });
    const reading = readSse(response);
    await processGone(marker, true);
    const cancelled = await fetch(`${server.url}/v1/runs/run-c`, { method: "DELETE", headers: auth() });
    expect(cancelled.status).toBe(202);
    const messages = await reading;
    expectAguiEvents(messages, "run-c");
    expect(messages.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "cancelled" } });
    await processGone(marker, false);
    const again = await fetch(`${server.url}/v1/runs/run-c`, { method: "DELETE", headers: auth() });
    expect(again.status).toBe(409);
  });

  test("SIGTERM stops accepting, stops running runs in a resumable state and exits 0", async () => {
    const marker = uniqueMarker();
    await setup([sleeper(marker), { text: "unreachable" }]);
    const server = await serve(["--grace", "0s"]);
    const reading = readSse(
      await startRun(server, { threadId: "s", runId: "run-s", messages: userMessage("wait") }),
    );
    await processGone(marker, true);
    expect(await server.stop("SIGTERM")).toBe(0);
    servers.splice(servers.indexOf(server), 1);
    const messages = await reading;
    expect(messages.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "cancelled" } });
    await processGone(marker, false);
    const session = JSON.parse(readFileSync(join(ws?.stateDir ?? "", "sessions", "s.json"), "utf8")) as {
      messages: { role: string }[];
    };
    expect(session.messages[0]?.role).toBe("user");
    const restarted = await serve();
    const summary = (await (
      await fetch(`${restarted.url}/v1/runs/run-s`, { headers: auth() })
    ).json()) as Json;
    expect(summary["status"]).toBe("interrupted");
  });
});

describe("approvals as AG-UI interrupts", () => {
  const approvalConfig = 'mode = "ask"\n[agents.ops.policy]\napproval = { tools = ["sh"] }';
  const turns = (): MockTurn[] => [
    { toolCalls: [{ id: "call-1", name: "sh", arguments: { command: "echo ran >> calls.log" } }] },
    { text: "done after approval" },
  ];

  async function interruptedRun(server: ServerProcess, runId: string) {
    const messages = await readSse(
      await startRun(server, { threadId: "th", runId, messages: userMessage("deploy") }),
    );
    expectAguiEvents(messages, runId);
    const finished = messages.at(-1)?.data as {
      type: string;
      outcome: { type: string; interrupts: InterruptView[] };
    };
    expect(finished.type).toBe("RUN_FINISHED");
    expect(finished.outcome.type).toBe("interrupt");
    expect(finished.outcome.interrupts).toHaveLength(1);
    const [interrupt] = finished.outcome.interrupts;
    if (!interrupt) throw new Error("no interrupt");
    return interrupt;
  }

  async function decide(server: ServerProcess, id: string, decision: string, token = TOKEN) {
    return fetch(`${server.url}/v1/interrupts/${id}`, {
      method: "POST",
      headers: auth(token, { "Content-Type": "application/json" }),
      body: JSON.stringify({ decision, reason: "checked" }),
    });
  }

  test("an interrupt approved over HTTP continues the run; the tool runs exactly once; decisions are idempotent and audited", async () => {
    await setup(turns(), { agentExtra: approvalConfig });
    const server = await serve();
    const interrupt = await interruptedRun(server, "run-i");
    expect(interrupt).toMatchObject({
      reason: "tool_approval",
      toolCallId: "call-1",
      metadata: {
        tool: "sh",
        args: { command: "echo ran >> calls.log" },
        rule: 'policy.approval.tools includes "sh"',
      },
    });
    expect(Date.parse(interrupt.expiresAt)).toBeGreaterThan(Date.now());
    expect(existsSync(join(ws?.dir ?? "", "calls.log"))).toBe(false);
    const listed = (await (
      await fetch(`${server.url}/v1/interrupts`, { headers: auth() })
    ).json()) as InterruptList;
    expect(listed.interrupts.map((i) => i.id)).toEqual([interrupt.id]);
    const busy = await startRun(server, { threadId: "th", messages: userMessage("something else") });
    expect(busy.status).toBe(409);

    const approved = await decide(server, interrupt.id, "approve");
    expect(approved.status).toBe(200);
    const body = (await approved.json()) as { continuedAs: string; by: string };
    expect(body.by).toBe("server:operator");
    const continued = await readSse(
      await fetch(`${server.url}/v1/runs/${body.continuedAs}/events`, { headers: auth() }),
    );
    expectAguiEvents(continued, body.continuedAs);
    expect(textOf(continued)).toBe("done after approval");
    expect(continued.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("ran\n");

    const repeated = await decide(server, interrupt.id, "approve");
    expect(repeated.status).toBe(200);
    expect(((await repeated.json()) as { repeated: boolean }).repeated).toBe(true);
    expect((await decide(server, interrupt.id, "deny")).status).toBe(409);
    expect((await decide(server, "r-unknown-call", "approve")).status).toBe(404);
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("ran\n");
    expect(
      ((await (await fetch(`${server.url}/v1/interrupts`, { headers: auth() })).json()) as InterruptList)
        .interrupts,
    ).toEqual([]);
    const origin = (await (await fetch(`${server.url}/v1/runs/run-i`, { headers: auth() })).json()) as Json;
    expect(origin).toMatchObject({ status: "awaiting_approval", continuedBy: body.continuedAs });

    const audit = readFileSync(join(ws?.dir ?? "", "audit.jsonl"), "utf8");
    expect(audit).toContain('"by":"server:operator"');
    const verify = await runBinary(["audit", "verify", join(ws?.dir ?? "", "audit.jsonl")]);
    expect(verify.code).toBe(0);
  });

  test("a server restart between interrupt and approval loses nothing", async () => {
    await setup(turns(), { agentExtra: approvalConfig });
    const first = await serve();
    const interrupt = await interruptedRun(first, "run-r");
    expect(await first.stop("SIGTERM")).toBe(0);
    servers.splice(servers.indexOf(first), 1);

    const second = await serve();
    const listed = (await (
      await fetch(`${second.url}/v1/interrupts`, { headers: auth() })
    ).json()) as InterruptList;
    expect(listed.interrupts).toHaveLength(1);
    expect(listed.interrupts[0]).toMatchObject({
      id: interrupt.id,
      tool: "sh",
      expiresAt: interrupt.expiresAt,
    });
    const replay = await readSse(await fetch(`${second.url}/v1/runs/run-r/events`, { headers: auth() }));
    expect(replay.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "interrupt" } });
    const approved = (await (await decide(second, interrupt.id, "approve", APPROVER)).json()) as {
      error?: { code: string };
    };
    expect(approved.error?.code).toBe("unauthorized");
    const body = (await (await decide(second, interrupt.id, "approve")).json()) as { continuedAs: string };
    const continued = await readSse(
      await fetch(`${second.url}/v1/runs/${body.continuedAs}/events`, { headers: auth() }),
    );
    expect(continued.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("ran\n");
  });

  test("interrupts decided with `agentry approvals` while the server was down continue when it starts", async () => {
    await setup(turns(), { agentExtra: approvalConfig });
    const first = await serve();
    const interrupt = await interruptedRun(first, "run-x");
    expect(await first.stop("SIGTERM")).toBe(0);
    servers.splice(servers.indexOf(first), 1);
    const approved = await runBinary(["approvals", "approve", interrupt.id, "-c", ws?.configPath ?? ""], {
      cwd: ws?.dir ?? "",
      env: { AGENTRY_STATE_DIR: ws?.stateDir },
    });
    expect(approved.code).toBe(0);

    const second = await serve();
    const origin = (await (await fetch(`${second.url}/v1/runs/run-x`, { headers: auth() })).json()) as Json;
    expect(origin["agentryRunId"]).toBe("run-x");
    const continued = await readSse(
      await fetch(`${second.url}/v1/runs/${String(origin["continuedBy"])}/events`, { headers: auth() }),
    );
    expect(textOf(continued)).toBe("done after approval");
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("ran\n");
  });

  /**
   * Interrupts runs run-a and run-b of thread th on a server whose interrupts expire at once (an
   * expired interrupt no longer holds its thread, so the second run can defer too), stops it and
   * approves both with `agentry approvals`.
   */
  async function twoRunsOfOneThreadApprovedOffline(serveArgs: string[]): Promise<void> {
    const first = await serve(["--interrupt-ttl", "0s", ...serveArgs]);
    const interrupts = [await interruptedRun(first, "run-a"), await interruptedRun(first, "run-b")];
    expect(await first.stop("SIGTERM")).toBe(0);
    servers.splice(servers.indexOf(first), 1);
    for (const interrupt of interrupts) {
      const approved = await runBinary(["approvals", "approve", interrupt.id, "-c", ws?.configPath ?? ""], {
        cwd: ws?.dir ?? "",
        env: { AGENTRY_STATE_DIR: ws?.stateDir },
      });
      expect(approved.code).toBe(0);
    }
  }

  test("a continuation whose thread is busy waits for it: two interrupted runs of one thread, decided while the server was down, both continue, one after the other", async () => {
    const call = (id: string) => ({
      toolCalls: [{ id: `call-${id}`, name: "sh", arguments: { command: `echo ${id} >> calls.log` } }],
    });
    await setup([call("a"), call("b"), { text: "continued a" }, { text: "continued b" }], {
      agentExtra: approvalConfig,
    });
    await twoRunsOfOneThreadApprovedOffline([]);

    const second = await serve();
    const origins = await Promise.all(
      ["run-a", "run-b"].map(
        async (id) =>
          (await (await fetch(`${second.url}/v1/runs/${id}`, { headers: auth() })).json()) as Json,
      ),
    );
    const continuations = origins.map((origin) => origin["continuedBy"]);
    expect(continuations.map((id) => typeof id)).toEqual(["string", "string"]);
    for (const [index, id] of continuations.entries()) {
      const continued = await readSse(await fetch(`${second.url}/v1/runs/${id}/events`, { headers: auth() }));
      expectAguiEvents(continued, String(id));
      expect(textOf(continued)).toBe(index === 0 ? "continued a" : "continued b");
      expect(continued.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    }
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("a\nb\n");
    const verify = await runBinary(["audit", "verify", join(ws?.dir ?? "", "audit.jsonl")]);
    expect(verify.code).toBe(0);
  });

  test("a continuation still waiting for its thread when the server stops keeps its run id and continues at the next start", async () => {
    await setup(
      [
        {
          toolCalls: [{ id: "call-a", name: "sh", arguments: { command: "sleep 30; echo a >> calls.log" } }],
        },
        { toolCalls: [{ id: "call-b", name: "sh", arguments: { command: "echo b >> calls.log" } }] },
        { text: "continued b" },
      ],
      { agentExtra: approvalConfig },
    );
    await twoRunsOfOneThreadApprovedOffline(["--grace", "0s"]);
    const second = await serve(["--grace", "0s"]);
    const origin = async (server: ServerProcess) =>
      (await (await fetch(`${server.url}/v1/runs/run-b`, { headers: auth() })).json()) as Json;
    const announced = String((await origin(second))["continuedBy"]);
    const waiting = (await (
      await fetch(`${second.url}/v1/runs/${announced}`, { headers: auth() })
    ).json()) as Json;
    expect(waiting["status"]).toBe("queued");
    expect(await second.stop("SIGTERM")).toBe(0);
    servers.splice(servers.indexOf(second), 1);
    expect(existsSync(join(ws?.dir ?? "", "calls.log"))).toBe(false);

    const third = await serve();
    expect((await origin(third))["continuedBy"]).toBe(announced);
    const continued = await readSse(
      await fetch(`${third.url}/v1/runs/${announced}/events`, { headers: auth() }),
    );
    expect(textOf(continued)).toBe("continued b");
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("b\n");
  });

  test("the approver token decides but cannot start runs; an AG-UI resume run continues a denied call", async () => {
    await setup([...turns().slice(0, 1), { text: "understood, not running it" }], {
      agentExtra: approvalConfig,
    });
    const server = await serve([], { AGENTRY_APPROVER_TOKEN: APPROVER });
    expect((await startRun(server, { threadId: "x", messages: userMessage("hi") }, APPROVER)).status).toBe(
      403,
    );
    const interrupt = await interruptedRun(server, "run-p");
    const resumed = await startRun(server, {
      threadId: "th",
      runId: "run-p2",
      resume: [
        { interruptId: interrupt.id, status: "resolved", payload: { decision: "deny", reason: "not today" } },
      ],
    });
    expect(resumed.status).toBe(200);
    const messages = await readSse(resumed);
    expectAguiEvents(messages, "run-p2");
    expect(textOf(messages)).toBe("understood, not running it");
    expect(existsSync(join(ws?.dir ?? "", "calls.log"))).toBe(false);
    const toolResult = messages.find((m) => m.data["type"] === "TOOL_CALL_RESULT");
    expect(String(toolResult?.data["content"])).toContain("not today");
  });

  test("a decision lock held past its wait is 503 with Retry-After and records nothing (POST and AG-UI resume); once it is free the decision continues the run", async () => {
    await setup(turns(), { agentExtra: approvalConfig });
    const server = await serve();
    const interrupt = await interruptedRun(server, "run-l");
    // A live process (this test) holds the run's decision lock, as a stopped `agentry approvals` would.
    const lock = join(ws?.stateDir ?? "", "runs", "run-l.json.decide.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), nonce: "held-by-test" }));

    const busy = await decide(server, interrupt.id, "approve");
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("5");
    const error = ((await busy.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("decision_lock_busy");
    expect(error.message).toContain("was not recorded");
    expect(error.message).toContain(`in use by process ${process.pid}`);
    const resumed = await startRun(server, {
      threadId: "th",
      runId: "run-l2",
      resume: [{ interruptId: interrupt.id, status: "resolved", payload: { decision: "deny" } }],
    });
    expect(resumed.status).toBe(503);
    expect(resumed.headers.get("retry-after")).toBe("5");
    const listed = (await (
      await fetch(`${server.url}/v1/interrupts`, { headers: auth() })
    ).json()) as InterruptList;
    expect(listed.interrupts.map((i) => i.id)).toEqual([interrupt.id]);
    expect(readFileSync(join(ws?.dir ?? "", "audit.jsonl"), "utf8")).not.toContain('"by":"server:operator"');

    rmSync(lock);
    const approved = await decide(server, interrupt.id, "approve");
    expect(approved.status).toBe(200);
    const body = (await approved.json()) as { continuedAs: string; repeated: boolean };
    expect(body.repeated).toBe(false);
    const continued = await readSse(
      await fetch(`${server.url}/v1/runs/${body.continuedAs}/events`, { headers: auth() }),
    );
    expect(continued.at(-1)?.data).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "success" } });
    expect(readFileSync(join(ws?.dir ?? "", "calls.log"), "utf8")).toBe("ran\n");
  });

  test("an expired interrupt answers 410", async () => {
    await setup(turns(), { agentExtra: approvalConfig });
    const server = await serve(["--interrupt-ttl", "0s"]);
    const interrupt = await interruptedRun(server, "run-e");
    expect((await decide(server, interrupt.id, "approve")).status).toBe(410);
    expect(existsSync(join(ws?.dir ?? "", "calls.log"))).toBe(false);
  });
});

describe("one server per state dir", () => {
  test("a second agentry serve on the same state dir exits 2 naming the first; after the first stops, it starts", async () => {
    await setup([]);
    const first = await serve();
    if (!ws) throw new Error("no workspace");
    const second = await runBinary(["serve", "--listen", "127.0.0.1:0", "-c", ws.configPath], {
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir, AGENTRY_SERVER_TOKEN: TOKEN },
      timeoutMs: 20_000,
    });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`is in use by process ${first.child.pid}`);
    expect(second.stderr).toContain("serve.lock");
    expect(await first.stop("SIGTERM")).toBe(0);
    servers.splice(servers.indexOf(first), 1);
    const third = await serve();
    expect((await fetch(`${third.url}/healthz`)).status).toBe(200);
  });
});

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { MockTurn } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { readSse, type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { mockDefaultsToml, SHELL_TOOL_TOML, type Workspace } from "../support/workspace.ts";

const TOKEN = "test-operator-token-0123456789abcdefABCDEF";
const APPROVER = "test-approver-token-0123456789abcdefABCDEF";
const IP = "10.20.30.40";
const PLACEHOLDER = /\[PII:ip:[0-9a-f]+\]/;

interface InterruptView {
  id: string;
  args: { command: string };
  targets?: Record<string, string>;
}

const e2e = e2eFixture();

/**
 * The model reads hosts.txt (its output reaches the model redacted), then asks to run a shell
 * command with the ip placeholder it saw; the shell tool needs approval, so the run is interrupted.
 */
async function setup(): Promise<Workspace> {
  const mock = await e2e.mock((request) => {
    const messages = (request.body as { messages: { role: string; content: string | null }[] }).messages;
    const tools = messages.filter((m) => m.role === "tool");
    if (tools.length === 0) return call("r1", "files", { op: "read", path: "hosts.txt" });
    if (tools.length === 1) {
      const placeholder = PLACEHOLDER.exec(String(tools[0]?.content))?.[0] ?? "none";
      return call("s1", "sh", { command: `echo reach ${placeholder} >> calls.log` });
    }
    return { text: "finished" };
  });
  const ws = e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${SHELL_TOOL_TOML}
[tools.files]
kind = "file"
root = "."

[audit]
path = "audit.jsonl"

[agents.ops]
tools = ["sh", "files"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`);
  ws.write("hosts.txt", `db at ${IP}\n`);
  return ws;
}

function call(id: string, name: string, args: Record<string, unknown>): MockTurn {
  return { toolCalls: [{ id, name, arguments: args }] };
}

async function serve(workspace: Workspace): Promise<ServerProcess> {
  const server = await startServerProcess(["--listen", "127.0.0.1:0", "-c", workspace.configPath], {
    cwd: workspace.dir,
    env: {
      AGENTRY_STATE_DIR: workspace.stateDir,
      AGENTRY_SERVER_TOKEN: TOKEN,
      AGENTRY_APPROVER_TOKEN: APPROVER,
    },
  });
  e2e.afterThis(() => server.stop("SIGKILL"));
  return server;
}

function get(server: ServerProcess, path: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

async function interrupts(server: ServerProcess, token = TOKEN): Promise<InterruptView[]> {
  return ((await (await get(server, "/v1/interrupts", token)).json()) as { interrupts: InterruptView[] })
    .interrupts;
}

/** Starts run `runId` and reads its whole event stream (it ends interrupted) as raw SSE text. */
async function interruptedRun(server: ServerProcess, runId: string): Promise<string> {
  const response = await fetch(`${server.url}/v1/agents/ops/runs`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      threadId: "th",
      runId,
      messages: [{ id: "m1", role: "user", content: "check the database host" }],
      tools: [],
      context: [],
    }),
  });
  expect(response.status).toBe(200);
  const stream = await response.text();
  expect(stream).toContain('"outcome":{"type":"interrupt"');
  return stream;
}

async function approve(server: ServerProcess, id: string): Promise<string> {
  const decided = await fetch(`${server.url}/v1/interrupts/${id}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${APPROVER}`, "Content-Type": "application/json" },
    body: JSON.stringify({ decision: "approve" }),
  });
  expect(decided.status).toBe(200);
  const { continuedAs } = (await decided.json()) as { continuedAs: string };
  return (await get(server, `/v1/runs/${continuedAs}/events`, TOKEN)).text();
}

/** Every file under `dir`, as text. */
function filesUnder(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, name);
    if (statSync(path).isFile()) found.set(path, readFileSync(path, "latin1"));
  }
  return found;
}

describe("agentry serve shows approvers the targets behind placeholders", () => {
  test("an authenticated reader of the interrupt list sees the real ip; the event streams, saved state, audit and stderr keep placeholders; the approved call runs with the ip", async () => {
    const workspace = await setup();
    const server = await serve(workspace);
    const stream = await interruptedRun(server, "run-t");
    expect(stream).toMatch(PLACEHOLDER);
    expect(stream).not.toContain(IP);

    const [pending] = await interrupts(server, APPROVER);
    if (!pending) throw new Error("no pending interrupt");
    const placeholder = PLACEHOLDER.exec(pending.args.command)?.[0] ?? "";
    expect(pending.args.command).toBe(`echo reach ${placeholder} >> calls.log`);
    expect(pending.targets).toEqual({ [placeholder]: IP });
    expect(await interrupts(server, TOKEN)).toEqual([pending]);

    const snapshot = await readSse(await get(server, "/v1/interrupts/events", TOKEN), 1);
    expect(snapshot[0]?.data).toEqual({ interrupts: [pending] });

    const anonymous = await get(server, "/v1/interrupts");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(IP);
    const replay = await (await get(server, "/v1/runs/run-t/events", TOKEN)).text();
    expect(replay).toMatch(PLACEHOLDER);
    expect(replay).not.toContain(IP);
    const summary = await (await get(server, "/v1/runs/run-t", TOKEN)).text();
    expect(summary).not.toContain(IP);

    const continued = await approve(server, pending.id);
    expect(continued).toContain('"outcome":{"type":"success"}');
    expect(continued).not.toContain(IP);
    expect(readFileSync(join(workspace.dir, "calls.log"), "utf8")).toBe(`reach ${IP}\n`);

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.stderr()).not.toContain(IP);
    const saved = filesUnder(workspace.stateDir);
    saved.set(join(workspace.dir, "audit.jsonl"), readFileSync(join(workspace.dir, "audit.jsonl"), "latin1"));
    expect(saved.size).toBeGreaterThan(3);
    for (const [path, text] of saved) if (text.includes(IP)) throw new Error(`${path} holds the real ip`);
  });

  test("after a restart the targets are still listed (sealed with the run) and the approved call still runs with the ip", async () => {
    const workspace = await setup();
    const first = await serve(workspace);
    await interruptedRun(first, "run-r");
    expect((await interrupts(first))[0]?.targets).toBeDefined();
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await serve(workspace);
    const [pending] = await interrupts(second);
    if (!pending) throw new Error("no pending interrupt");
    const placeholder = PLACEHOLDER.exec(pending.args.command)?.[0] ?? "";
    expect(pending.targets).toEqual({ [placeholder]: IP });
    await approve(second, pending.id);
    expect(readFileSync(join(workspace.dir, "calls.log"), "utf8")).toBe(`reach ${IP}\n`);
  });
});

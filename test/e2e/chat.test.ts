import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type MockProvider,
  type MockProviderOptions,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { eventually, processesWithArgv } from "../support/processes.ts";
import { startInTerminal, type TerminalSession } from "../support/terminal.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let chat: TerminalSession | undefined;

afterEach(async () => {
  if (chat && chat.child.exitCode === null) chat.child.kill("SIGKILL");
  await mock?.close();
  ws?.remove();
  mock = ws = chat = undefined;
});

/** A workspace with agent `pal` (shell tool `sh`, which asks before running) and an audit log. */
async function workspace(
  turns: MockTurn[],
  agent = 'mode = "ask"\npolicy = { approval = { tools = ["sh"] } }',
  faults: MockProviderOptions["faults"] = {},
  textChunkSize?: number,
) {
  mock = await startMockProvider({ turns, faults, ...(textChunkSize ? { textChunkSize } : {}) });
  ws = makeWorkspace(`
[defaults]
agent = "pal"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
allow = ["echo *", "sleep *"]
env = ["PATH"]

[audit]
path = "audit.jsonl"

[agents.pal]
tools = ["sh"]
${agent}
`);
  return ws;
}

/** Starts `agentry chat` in the workspace on a pseudo-terminal. */
function startChat(args: string[] = []): TerminalSession {
  if (!ws) throw new Error("no workspace");
  chat = startInTerminal(["chat", "-c", ws.configPath, ...args], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, TERM: "dumb" },
    timeoutMs: 60_000,
  });
  return chat;
}

/** Resolves once the chat showed its prompt `n` times (the nth time it waits for a message). */
function prompt(session: TerminalSession, n: number): Promise<void> {
  return session.waitFor(new RegExp(`(?:[\\s\\S]*?› ){${n}}`));
}

/** Sends one message, waits for `reply`, and leaves with /exit (which must be exit 0). */
async function chatOnce(args: string[], message: string, reply: RegExp): Promise<void> {
  const session = startChat(args);
  await prompt(session, 1);
  session.type(`${message}\r`);
  await session.waitFor(reply);
  await prompt(session, 2);
  session.type("/exit\r");
  expect(await session.exited).toBe(0);
}

/** `agentry run -c <workspace config> ARGS` in the workspace. */
function runInWorkspace(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary(["run", "-c", ws.configPath, ...args], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
  });
}

/** Removes escape sequences and carriage returns, so assertions read what the user sees. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z~]/g, "").replace(/\r/g, "");

function auditRecords(): Record<string, unknown>[] {
  if (!ws) throw new Error("no workspace");
  return readFileSync(join(ws.dir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The text of the last user message the model received in request `index`. */
function lastUserMessage(index: number): string {
  const body = mock?.requests[index]?.body as { messages: { role: string; content: string }[] };
  return body.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
}

function processAlive(pattern: string): boolean {
  return Bun.spawnSync(["pgrep", "-f", pattern]).stdout.toString().trim() !== "";
}

describe("agentry chat", () => {
  test("without a terminal it exits 2 and points to `agentry run`, before any model call", async () => {
    const dir = await workspace([{ text: "never" }]);
    const result = await runBinary(["chat", "-c", dir.configPath], {
      cwd: dir.dir,
      env: { AGENTRY_STATE_DIR: dir.stateDir },
      stdin: "hello\n",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("agentry chat needs a terminal");
    expect(result.stderr).toContain("agentry run");
    expect(mock?.requests).toHaveLength(0);
  });

  test('[defaults].approve = "defer" is refused with exit 2: nobody could resume a chat turn', async () => {
    const dir = await workspace([{ text: "never" }]);
    dir.write(
      "agentry.toml",
      readFileSync(dir.configPath, "utf8").replace("[defaults]\n", '[defaults]\napprove = "defer"\n'),
    );
    const session = startChat();
    expect(await session.exited).toBe(2);
    expect(plain(session.output())).toContain('[defaults].approve = "defer" cannot be used by agentry chat');
    expect(mock?.requests).toHaveLength(0);
  });

  test("answers stream, tool lines show their arguments, y and n (typed, never pasted) answer approvals inline, /exit is exit 0", async () => {
    await workspace([
      { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo approved-in-chat" } }] },
      { text: "first answer done" },
      { toolCalls: [{ id: "c2", name: "sh", arguments: { command: "echo refused-in-chat" } }] },
      { text: "second answer done" },
    ]);
    const session = startChat();
    await prompt(session, 1);
    session.type("run the first\r");
    await session.waitFor(/\[y\]es \/ \[n\]o \/ \[a\]lways in this chat > /);
    session.type("y\r");
    await session.waitFor(/first answer done/);
    await prompt(session, 2);
    session.type("run the second\r");
    await session.waitFor(/echo refused-in-chat[\s\S]*\[y\]es \/ \[n\]o/);
    session.type("\x1b[200~y\x1b[201~\r");
    await session.waitFor(/pasted text is no answer: type it/);
    session.type("n\r");
    await session.waitFor(/reason for the agent \(optional\) > /);
    session.type("not in this chat\r");
    await session.waitFor(/second answer done/);
    await prompt(session, 3);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);

    const shown = plain(session.output());
    expect(shown).toContain('→ sh {"command":"echo approved-in-chat"}');
    expect(shown).toContain("approved-in-chat");
    const approvals = auditRecords().filter((record) => record["type"] === "approval");
    expect(approvals).toHaveLength(2);
    expect(approvals[0]).toMatchObject({ decision: "approve", scope: "once" });
    expect(approvals[1]).toMatchObject({ decision: "deny", reason: "not in this chat" });
    expect(approvals[1]?.["by"]).not.toBe("interrupt");
    const toolResult = mock?.requests[3]?.body as { messages: { role: string; content: string }[] };
    expect(JSON.stringify(toolResult.messages.at(-1))).toContain("not in this chat");
    const runEnds = auditRecords().filter((record) => record["type"] === "run_end");
    expect(runEnds.map((record) => record["status"])).toEqual(["ok", "ok"]);
  });

  test("a y typed while the agent works is dropped: it never answers the approval asked later", async () => {
    await workspace(
      [
        { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo typed-ahead" } }] },
        { text: "answered" },
      ],
      undefined,
      { 0: { latencyMs: 3000 } },
    );
    const session = startChat();
    await prompt(session, 1);
    session.type("go\r");
    expect(await eventually(() => (mock?.requests.length ?? 0) > 0, 20_000)).toBe(true);
    session.type("y\r");
    await session.waitFor(/\[y\]es \/ \[n\]o/);
    session.type("n\r");
    await session.waitFor(/reason for the agent/);
    session.type("\r");
    await session.waitFor(/answered/);
    await prompt(session, 2);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    const approvals = auditRecords().filter((record) => record["type"] === "approval");
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ decision: "deny" });
  });

  test("`a` approves that tool for this agent for the rest of the chat; the audit says so", async () => {
    await workspace([
      { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo always-one" } }] },
      { text: "one done" },
      { toolCalls: [{ id: "c2", name: "sh", arguments: { command: "echo always-two" } }] },
      { text: "two done" },
    ]);
    const session = startChat();
    await prompt(session, 1);
    session.type("first\r");
    await session.waitFor(/\[a\]lways in this chat > /);
    session.type("a\r");
    await session.waitFor(/one done/);
    await prompt(session, 2);
    session.type("second\r");
    await session.waitFor(/two done/);
    await prompt(session, 3);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    expect(plain(session.output()).match(/\[y\]es \/ \[n\]o/g)).toHaveLength(1);
    const approvals = auditRecords().filter((record) => record["type"] === "approval");
    expect(approvals).toHaveLength(2);
    expect(approvals[0]).toMatchObject({ decision: "approve", scope: "run" });
    expect(approvals[1]).toMatchObject({ decision: "approve", by: approvals[0]?.["by"] });
    expect(String(approvals[1]?.["reason"])).toContain(
      `approved for the rest of this chat ([a]lways at ${approvals[0]?.["approval_id"]})`,
    );
  });

  test("Ctrl-C cancels the turn: its tool process dies, the audit records the cancel, the chat goes on", async () => {
    const marker = `sleep 43.${process.pid}`;
    await workspace(
      [{ toolCalls: [{ id: "s1", name: "sh", arguments: { command: marker } }] }, { text: "still here" }],
      'mode = "auto"',
    );
    const session = startChat(["--session", "cancelled"]);
    await prompt(session, 1);
    session.type("start something slow\r");
    await session.waitFor(/→ sh/);
    expect(await eventually(() => processAlive(marker), 20_000)).toBe(true);
    session.type("\x03");
    await session.waitFor(/turn cancelled; the conversation goes on/);
    expect(processAlive(marker)).toBe(false);
    await prompt(session, 2);
    session.type("are you there?\r");
    await session.waitFor(/still here/);
    await prompt(session, 3);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    const runEnds = auditRecords().filter((record) => record["type"] === "run_end");
    expect(runEnds.map((record) => record["status"])).toEqual(["interrupted", "ok"]);
    expect(lastUserMessage(1)).toBe("are you there?");
    const history = JSON.stringify(mock?.requests[1]?.body);
    expect(history).toContain("start something slow");
  });

  test("Ctrl-C while the answer streams cancels the turn; the next message gets a fresh answer", async () => {
    const first = "streaming slowly, word by word, and the last 64 characters are held back a while; ";
    await workspace(
      [{ text: `${first}until someone presses Ctrl-C` }, { text: "fresh answer" }],
      'mode = "auto"',
      { 0: { frameGapMs: 400 } },
      first.length,
    );
    const session = startChat();
    await prompt(session, 1);
    session.type("talk slowly\r");
    await session.waitFor(/stream/);
    session.type("\x03");
    await session.waitFor(/turn cancelled; the conversation goes on/);
    await prompt(session, 2);
    session.type("again\r");
    await session.waitFor(/fresh answer/);
    await prompt(session, 3);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    expect(session.output()).not.toContain("someone presses Ctrl-C");
    const runEnds = auditRecords().filter((record) => record["type"] === "run_end");
    expect(runEnds.map((record) => record["status"])).toEqual(["interrupted", "ok"]);
  });

  test("Ctrl-C at an approval question cancels the turn, audited as an interruption, not as my denial", async () => {
    await workspace([
      { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo never-run" } }] },
      { text: "next message answered" },
    ]);
    const session = startChat();
    await prompt(session, 1);
    session.type("ask me\r");
    await session.waitFor(/\[y\]es \/ \[n\]o/);
    session.type("\x03");
    await session.waitFor(/turn cancelled; the conversation goes on/);
    await prompt(session, 2);
    session.type("next\r");
    await session.waitFor(/next message answered/);
    await prompt(session, 3);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    const approval = auditRecords().find((record) => record["type"] === "approval");
    expect(approval).toMatchObject({ decision: "deny", by: "interrupt" });
    expect(approval?.["reason"]).toBe("no decision: the run was interrupted while the question was open");
    const runEnds = auditRecords().filter((record) => record["type"] === "run_end");
    expect(runEnds.map((record) => record["status"])).toEqual(["interrupted", "ok"]);
  });

  test("Ctrl-C at the prompt twice in a row leaves (exit 0), saving nothing new", async () => {
    await workspace([{ text: "unused" }]);
    const session = startChat();
    await prompt(session, 1);
    session.type("half typed");
    session.type("\x03");
    await session.waitFor(/Ctrl-C again or \/exit to leave/);
    await prompt(session, 2);
    session.type("\x03");
    expect(await session.exited).toBe(0);
    expect(mock?.requests).toHaveLength(0);
  });

  test("a second Ctrl-C while a turn is being cancelled leaves at once with 130, audit flushed", async () => {
    const marker = `sleep 47.${process.pid}`;
    await workspace(
      [{ toolCalls: [{ id: "s1", name: "sh", arguments: { command: marker } }] }],
      'mode = "auto"',
    );
    const session = startChat();
    await prompt(session, 1);
    session.type("go\r");
    expect(await eventually(() => processAlive(marker), 20_000)).toBe(true);
    session.type("\x03\x03");
    expect(await session.exited).toBe(130);
    expect(await eventually(() => !processAlive(marker), 10_000)).toBe(true);
    expect(auditRecords().some((record) => record["type"] === "run_start")).toBe(true);
  });

  test("SIGTERM stops the running turn (tools killed, run_end interrupted, session saved) and leaves with 130", async () => {
    const marker = `sleep 53.${process.pid}`;
    await workspace(
      [{ toolCalls: [{ id: "s1", name: "sh", arguments: { command: marker } }] }],
      'mode = "auto"',
    );
    if (!ws) throw new Error("no workspace");
    const session = startChat(["--session", "terminated"]);
    await prompt(session, 1);
    session.type("go\r");
    expect(await eventually(() => processAlive(marker), 20_000)).toBe(true);
    const [pid] = processesWithArgv([BINARY, "chat", "-c", ws.configPath, "--session", "terminated"]);
    expect(pid).toBeDefined();
    process.kill(pid as number, "SIGTERM");
    expect(await session.exited).toBe(130);
    expect(processAlive(marker)).toBe(false);
    const runEnd = auditRecords().find((record) => record["type"] === "run_end");
    expect(runEnd).toMatchObject({ status: "interrupted" });
    expect(existsSync(join(ws.stateDir, "sessions", "terminated.json"))).toBe(true);
  });

  test("an agent with an output schema shows only the answer that passed it, as `run` does", async () => {
    const dir = await workspace(
      [{ text: "Answer: not json at all" }, { text: '{"verdict": "pass"}' }],
      'mode = "auto"\noutput_schema = "schema.json"',
    );
    dir.write(
      "schema.json",
      JSON.stringify({ type: "object", properties: { verdict: { type: "string" } }, required: ["verdict"] }),
    );
    await chatOnce([], "judge it", /\{"verdict": "pass"\}/);
    expect(mock?.requests).toHaveLength(2);
    expect(chat?.output()).not.toContain("not json at all");
  });

  test("multi-line input: a trailing backslash continues the message; a bracketed paste is taken whole", async () => {
    await workspace([{ text: "got the first" }, { text: "got the paste" }]);
    const session = startChat();
    await prompt(session, 1);
    session.type("line one\\\r");
    await session.waitFor(/… /);
    session.type("line two\r");
    await session.waitFor(/got the first/);
    await prompt(session, 2);
    session.type("\x1b[200~pasted one\rpasted two\x1b[201~\r");
    await session.waitFor(/got the paste/);
    await prompt(session, 3);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    expect(lastUserMessage(0)).toBe("line one\nline two");
    expect(lastUserMessage(1)).toBe("pasted one\npasted two");
  });

  test.each([
    ["`run --session NAME`", ["--session", "kept"], ["--session", "kept"]],
    ["`run --continue` in the same directory (a chat without --session)", [], ["--continue"]],
  ])("history is a session: %s continues what the chat said", async (_name, chatArgs, runArgs) => {
    await workspace([{ text: "chat reply" }, { text: "run reply" }]);
    await chatOnce(chatArgs, "remember the word teal", /chat reply/);
    const run = await runInWorkspace([...runArgs, "which word?"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("run reply");
    const history = JSON.stringify(mock?.requests[1]?.body);
    expect(history).toContain("remember the word teal");
    expect(history).toContain("chat reply");
  });

  test("`chat --continue` picks up the last conversation of the directory, a run's included", async () => {
    await workspace([{ text: "run reply" }, { text: "chat goes on" }]);
    const run = await runInWorkspace(["remember the word umber"]);
    expect(run.code).toBe(0);
    const session = startChat(["--continue"]);
    await session.waitFor(/\(continued, 2 messages\)/);
    await prompt(session, 1);
    session.type("which word?\r");
    await session.waitFor(/chat goes on/);
    await prompt(session, 2);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    const history = JSON.stringify(mock?.requests[1]?.body);
    expect(history).toContain("remember the word umber");
    expect(lastUserMessage(1)).toBe("which word?");
  });

  test("zero-config: with no configuration file the built-in assistant chats over OPENAI_BASE_URL", async () => {
    mock = await startMockProvider({
      turns: [{ text: "hello from zero-config" }],
      apiKey: "sk-chat-zero-config-0123",
    });
    ws = makeWorkspace("");
    const project = join(ws.dir, "project");
    mkdirSync(project);
    chat = startInTerminal(["chat", "--model", "openai/gpt-4.1-mini"], {
      cwd: project,
      env: {
        AGENTRY_STATE_DIR: ws.stateDir,
        HOME: join(ws.dir, "home"),
        XDG_CONFIG_HOME: join(ws.dir, "xdg"),
        OPENAI_API_KEY: "sk-chat-zero-config-0123",
        OPENAI_BASE_URL: mock.baseUrls.openai,
        TERM: "dumb",
      },
      timeoutMs: 60_000,
    });
    await chat.waitFor(/agent assistant/);
    await prompt(chat, 1);
    chat.type("hi\r");
    await chat.waitFor(/hello from zero-config/);
    await prompt(chat, 2);
    chat.type("/exit\r");
    expect(await chat.exited).toBe(0);
    expect(mock.requests[0]?.model).toBe("gpt-4.1-mini");
    expect(chat.output()).not.toContain("sk-chat-zero-config-0123");
  });

  test("/help, /model, /tools, /cost, /clear and /save", async () => {
    await workspace(
      [{ text: "before clear" }, { text: "after clear" }],
      'mode = "ask"\npolicy = { approval = { tools = ["sh"], except = ["sh:echo *"], deny = ["sh:sleep 9*"] } }',
    );
    const session = startChat(["--session", "slash"]);
    await prompt(session, 1);
    session.type("/help\r");
    await session.waitFor(/\/save \[NAME\]/);
    await prompt(session, 2);
    session.type("/tools\r");
    await session.waitFor(
      /sh {2}\(shell, read-write\) · asks first \(not for sh:echo \*\) · refused when sh:sleep 9\*/,
    );
    await prompt(session, 3);
    session.type("/model nonsense\r");
    await session.waitFor(/--model: expected provider\/model, found "nonsense"/);
    await prompt(session, 4);
    session.type("/model mock/other-model\r");
    await session.waitFor(/model: mock\/other-model from the next message on/);
    await prompt(session, 5);
    session.type("hello\r");
    await session.waitFor(/before clear/);
    await prompt(session, 6);
    session.type("/cost\r");
    await session.waitFor(/1 message · \d+ in \/ \d+ out tokens · \$/);
    await prompt(session, 7);
    session.type("/save keeper\r");
    await session.waitFor(/copied the conversation to session keeper/);
    await prompt(session, 8);
    session.type("/clear\r");
    await session.waitFor(/conversation cleared/);
    await prompt(session, 9);
    session.type("fresh start\r");
    await session.waitFor(/after clear/);
    await prompt(session, 10);
    session.type("/nonsense\r");
    await session.waitFor(/unknown command \/nonsense/);
    await prompt(session, 11);
    session.type("/exit\r");
    expect(await session.exited).toBe(0);
    expect(mock?.requests).toHaveLength(2);
    expect(mock?.requests[0]?.model).toBe("other-model");
    expect(JSON.stringify(mock?.requests[1]?.body)).not.toContain("hello");
    if (!ws) throw new Error("no workspace");
    const kept = JSON.parse(readFileSync(join(ws.stateDir, "sessions", "keeper.json"), "utf8"));
    expect(JSON.stringify(kept.messages)).toContain("hello");
    expect(existsSync(join(ws.stateDir, "sessions", "slash.json"))).toBe(true);
  });
});

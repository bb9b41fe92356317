import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import {
  ConfigError,
  createRuntime,
  defineTool,
  loadConfigText,
  type Middleware,
  type RunEvent,
  type Runtime,
  runStream,
  UsageError,
} from "../../src/index.ts";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";

let mock: MockProvider | undefined;
let runtime: Runtime | undefined;
let dir: string | undefined;

afterEach(async () => {
  await runtime?.close();
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  runtime = mock = dir = undefined;
});

const echo = defineTool({
  name: "echo",
  description: "Echoes a word.",
  parameters: z.object({ word: z.string() }),
  readOnly: true,
  execute: ({ word }) => `echo: ${word}`,
});

function toml(baseUrl: string, tools: string[]): string {
  return `
[defaults]
agent = "helper"
model = "mock/gpt-4.1-mini"

[providers.mock]
kind = "openai-compatible"
base_url = "${baseUrl}"
retries = 0

[agents.helper]
instructions = "Help."
tools = ${JSON.stringify(tools)}
mode = "auto"
`;
}

async function start(
  turns: MockTurn[],
  tools: ReturnType<typeof defineTool>[],
  middleware: Middleware[] = [],
) {
  mock = await startMockProvider({ turns });
  dir = mkdtempSync(join(tmpdir(), "agentry-lib-"));
  const loaded = await loadConfigText(
    toml(
      mock.baseUrls.openai,
      tools.map((t) => t.name),
    ),
    { tools },
  );
  runtime = createRuntime(loaded, {
    tools,
    stateDir: dir,
    middleware: middleware.map((layer) => ({ after: "audit", layer })),
  });
  return runtime;
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe("runStream", () => {
  test("events arrive as an async iterable that ends with run_end; result matches it", async () => {
    const rt = await start(
      [{ toolCalls: [{ id: "c1", name: "echo", arguments: { word: "hi" } }] }, { text: "said hi" }],
      [echo],
    );
    const { events, result } = runStream(rt, { prompt: "say hi" });
    const seen = await collect(events);
    const outcome = await result;
    expect(seen[0]?.type).toBe("run_start");
    expect(seen.at(-1)).toMatchObject({
      type: "run_end",
      status: "ok",
      answer: "said hi",
      run_id: outcome.runId,
    });
    expect(seen.filter((e) => e.type === "run_end")).toHaveLength(1);
    const call = seen.find((e) => e.type === "tool_call");
    const done = seen.find((e) => e.type === "tool_result");
    expect(call).toMatchObject({ id: "c1", name: "echo", args: { word: "hi" } });
    expect(done).toMatchObject({ id: "c1", ok: true });
    expect(outcome).toMatchObject({ status: "ok", answer: "said hi", turns: 2 });
  });

  test("a host may choose the run id; one a deferred run holds, or an invalid one, is refused", async () => {
    const rt = await start([{ text: "chosen" }], [echo]);
    const { events, result } = runStream(rt, { prompt: "x", runId: "host-run-1" });
    const seen = await collect(events);
    expect((await result).runId).toBe("host-run-1");
    expect(seen.every((event) => event.run_id === "host-run-1")).toBe(true);
    expect(() => rt.run({ prompt: "x", runId: "../escape" })).toThrow("invalid run id");
  });

  test("a host may not choose a run id of the sub-agent form <run>.<n>: it could share another run's audit chain", async () => {
    const rt = await start([{ text: "chosen" }], [echo]);
    expect(() => rt.run({ prompt: "x", runId: "host-run.1" })).toThrow(UsageError);
    expect(() => rt.run({ prompt: "x", runId: "host-run.17" })).toThrow("sub-agent run ids");
    const { result } = runStream(rt, { prompt: "x", runId: "host-run.v2" });
    expect((await result).runId).toBe("host-run.v2");
  });

  test("a run that cannot start rejects result and throws from the iteration", async () => {
    const rt = await start([{ text: "x" }], [echo]);
    const { events, result } = runStream(rt, { target: "nobody", prompt: "x" });
    await expect(result).rejects.toBeInstanceOf(UsageError);
    await expect(collect(events)).rejects.toBeInstanceOf(UsageError);
  });

  test("an onEvent callback on the request still sees every event", async () => {
    const rt = await start([{ text: "plain" }], [echo]);
    const fromCallback: string[] = [];
    const { events, result } = runStream(rt, { prompt: "x", onEvent: (e) => fromCallback.push(e.type) });
    const fromIterable = (await collect(events)).map((e) => e.type);
    await result;
    expect(fromCallback).toEqual(fromIterable);
  });
});

describe("cancellation", () => {
  test("aborting the request's signal stops the run and its tool; the run ends cancelled", async () => {
    let toolSawAbort = false;
    const wait = defineTool({
      name: "wait",
      description: "Waits until cancelled.",
      parameters: z.object({}),
      execute: (_args, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            toolSawAbort = true;
            resolve({ ok: false, output: "", error: "cancelled" });
          });
        }),
    });
    const rt = await start([{ toolCalls: [{ name: "wait", arguments: {} }] }, { text: "never" }], [wait]);
    const controller = new AbortController();
    const { events, result } = runStream(rt, { prompt: "wait", signal: controller.signal });
    const seen: RunEvent[] = [];
    for await (const event of events) {
      seen.push(event);
      if (event.type === "tool_call") controller.abort();
    }
    const outcome = await result;
    expect(toolSawAbort).toBe(true);
    expect(["interrupted", "stopped"]).toContain(outcome.status);
    expect(outcome.stopReason).toBe("cancelled");
    expect(seen.at(-1)).toMatchObject({ type: "run_end", stop_reason: "cancelled" });
    expect(mock?.requests).toHaveLength(1);
  });

  test("a signal aborted before the run starts ends it without calling the model", async () => {
    const rt = await start([{ text: "never" }], [echo]);
    const { result } = runStream(rt, { prompt: "x", signal: AbortSignal.abort() });
    expect((await result).stopReason).toBe("cancelled");
    expect(mock?.requests).toHaveLength(0);
  });
});

describe("custom middleware", () => {
  test("a host layer sees every call with its context and can change the result the model sees", async () => {
    const seen: string[] = [];
    const stamp: Middleware = async (ctx, call, next) => {
      seen.push(`${ctx.agent}:${call.name}:${JSON.stringify(call.args)}`);
      const result = await next(call);
      return { ...result, output: `${result.output} [stamped]` };
    };
    const rt = await start(
      [{ toolCalls: [{ name: "echo", arguments: { word: "a" } }] }, { text: "ok" }],
      [echo],
      [stamp],
    );
    const outcome = await rt.run({ prompt: "x" });
    expect(outcome.status).toBe("ok");
    expect(seen).toEqual(['helper:echo:{"word":"a"}']);
    const toolMessage = JSON.stringify(mock?.requests[1]?.body);
    expect(toolMessage).toContain("echo: a");
    expect(toolMessage).toContain("</tool_output> [stamped]");
  });
});

describe("defineTool", () => {
  test("refuses names providers would reject and empty descriptions", () => {
    const parameters = z.object({});
    expect(() => defineTool({ name: "has space", description: "d", parameters, execute: () => "" })).toThrow(
      UsageError,
    );
    expect(() => defineTool({ name: "ok", description: " ", parameters, execute: () => "" })).toThrow(
      UsageError,
    );
  });

  test("a string return is a successful result; a ToolResult passes through", async () => {
    const ctx = { signal: new AbortController().signal, runId: "r", agent: "a", callId: "c" };
    expect(await echo.execute({ word: "x" }, ctx)).toEqual({ ok: true, output: "echo: x" });
    const failing = defineTool({
      name: "failing",
      description: "Fails.",
      parameters: z.object({}),
      execute: () => ({ ok: false, output: "", error: "nope" }),
    });
    expect(await failing.execute({}, ctx)).toEqual({ ok: false, output: "", error: "nope" });
  });
});

describe("loadConfigText", () => {
  test("reports problems like loadConfig, under the given name with line and column", async () => {
    const error = await loadConfigText('[agents.x]\ninstructions = "i"\ntools = ["nope"]\n', {
      name: "embedded.toml",
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(
      issues.some((i) => i.file.endsWith("embedded.toml") && i.path === "agents.x.tools[0]" && i.line === 3),
    ).toBe(true);
  });

  test("code tools must be named to the loader; relative paths resolve against baseDir", async () => {
    dir = mkdtempSync(join(tmpdir(), "agentry-lib-"));
    writeFileSync(join(dir, "prompt.md"), "From a file.");
    const text = `${toml("http://127.0.0.1:9/v1", ["echo"])}\n[agents.filed]\ninstructions_file = "prompt.md"\n`;
    await expect(loadConfigText(text, { baseDir: dir })).rejects.toBeInstanceOf(ConfigError);
    const loaded = await loadConfigText(text, { baseDir: dir, tools: [echo] });
    expect(loaded.config.agents?.["filed"]?.instructions_file).toBe(join(dir, "prompt.md"));
    expect(loaded.path).toBe(join(dir, "inline.toml"));
  });
});

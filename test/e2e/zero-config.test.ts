// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text holds ${VAR} references literally
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { readSse, startServerProcess } from "../support/server-process.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

/** Issue 15: runs without a configuration file, providers and model from the environment. */

const KEY = "sk-zeroconfig-e2e-0123456789abcdef";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

/** An empty workspace (no agentry.toml) and a mock that checks the OpenAI key. */
async function setup(turns: MockTurn[] | ((index: number) => MockTurn) = [{ text: "hello from the mock" }]) {
  mock = await startMockProvider({
    turns: typeof turns === "function" ? (_request, index) => turns(index) : turns,
    apiKey: KEY,
  });
  ws = makeWorkspace("");
  return { mock, ws };
}

/** Runs the binary in the workspace with no config file anywhere it could be found. */
function agentry(args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  if (!ws) throw new Error("no workspace");
  return runBinary(args, {
    cwd: cwd ?? join(ws.dir, "project"),
    env: {
      HOME: join(ws.dir, "home"),
      XDG_CONFIG_HOME: join(ws.dir, "xdg"),
      AGENTRY_STATE_DIR: ws.stateDir,
      ...env,
    },
  });
}

function openAiEnv(): Record<string, string> {
  if (!mock) throw new Error("no mock");
  return { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: mock.baseUrls.openai };
}

function project(): string {
  if (!ws) throw new Error("no workspace");
  const dir = join(ws.dir, "project");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file under `dir`, read as text. */
function allText(dir: string): string {
  let text = "";
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += statSync(path).isDirectory() ? allText(path) : readFileSync(path, "utf8");
  }
  return text;
}

type Body = {
  model: string;
  messages: { role: string; content: unknown }[];
  tools?: { function: { name: string; description: string } }[];
};
const body = (index: number) => mock?.requests[index]?.body as Body;
const toolNames = (index: number) => (body(index).tools ?? []).map((tool) => tool.function.name).sort();

describe("zero-config: providers from the environment", () => {
  test("OPENAI_API_KEY + OPENAI_BASE_URL run the built-in assistant on the default model; the key is nowhere", async () => {
    await setup();
    project();
    const result = await agentry(["run", "hi"], openAiEnv());
    expect(result.stderr).not.toContain("no configuration found");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("hello from the mock\n");
    expect(mock?.requests).toHaveLength(1);
    expect(body(0).model).toBe("gpt-4.1-mini");
    expect(body(0).tools ?? []).toEqual([]);
    expect(result.stderr).toContain("openai/gpt-4.1-mini (default)");
    expect(result.stdout + result.stderr).not.toContain(KEY);
    expect(allText(ws?.stateDir as string)).not.toContain(KEY);
  });

  test("--model and AGENTRY_MODEL pick the model; --model wins", async () => {
    await setup([{ text: "one" }, { text: "two" }]);
    project();
    const fromEnv = await agentry(["run", "hi"], { ...openAiEnv(), AGENTRY_MODEL: "openai/gpt-4.1" });
    expect(fromEnv.code).toBe(0);
    expect(body(0).model).toBe("gpt-4.1");
    const fromFlag = await agentry(["run", "--model", "openai/gpt-4o", "hi"], {
      ...openAiEnv(),
      AGENTRY_MODEL: "openai/gpt-4.1",
    });
    expect(fromFlag.code).toBe(0);
    expect(body(1).model).toBe("gpt-4o");
  });

  test("ANTHROPIC_API_KEY and GOOGLE_API_KEY (+ base URLs) make their providers available", async () => {
    await setup([{ text: "from claude" }, { text: "from gemini" }]);
    project();
    const base = mock?.baseUrls as { anthropic: string; gemini: string };
    const claude = await agentry(["run", "hi"], {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: base.anthropic,
    });
    expect(claude.code).toBe(0);
    expect(claude.stdout).toBe("from claude\n");
    expect(mock?.requests[0]?.model).toBe("claude-sonnet-4-5");
    const gemini = await agentry(["run", "hi"], { GOOGLE_API_KEY: KEY, GEMINI_BASE_URL: base.gemini });
    expect(gemini.code).toBe(0);
    expect(gemini.stdout).toBe("from gemini\n");
    expect(mock?.requests[1]?.model).toBe("gemini-2.5-flash");
    expect(claude.stderr + gemini.stderr).not.toContain(KEY);
  });

  test("several providers and no model named is exit 2 naming them, before any request", async () => {
    await setup();
    project();
    const result = await agentry(["run", "hi"], { ...openAiEnv(), ANTHROPIC_API_KEY: "sk-ant-unused-123" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("several providers are available (openai, anthropic)");
    expect(result.stderr).toContain("--model");
    expect(mock?.requests).toHaveLength(0);
  });

  test("only ollama and no model named is exit 2, and the example model is an ollama one", async () => {
    await setup();
    project();
    const result = await agentry(["run", "hi"], { OLLAMA_HOST: mock?.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no model named, and ollama has no default model");
    expect(result.stderr).toContain("--model ollama/");
    expect(result.stderr).not.toContain("openai/");
    expect(mock?.requests).toHaveLength(0);
  });

  test("a model of a provider whose key is unset is exit 2 naming the variable", async () => {
    await setup();
    project();
    const result = await agentry(["run", "--model", "anthropic/claude-sonnet-4-5", "hi"], openAiEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ANTHROPIC_API_KEY is not set");
    expect(mock?.requests).toHaveLength(0);
  });

  test("no configuration and no provider variable is exit 2 saying which variables to set", async () => {
    await setup();
    project();
    const result = await agentry(["run", "hi"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no provider is configured in the environment");
    expect(result.stderr).toContain("OPENAI_API_KEY");
  });

  test("a configuration file still wins over the environment, and AGENTRY_CONFIG names one", async () => {
    await setup([{ text: "from the file's agent" }, { text: "from AGENTRY_CONFIG" }]);
    project();
    const config = `[defaults]\nagent = "filed"\nmodel = "mock/m1"\n\n${mockProviderToml(mock?.baseUrls.openai as string, { apiKeyVar: "OPENAI_API_KEY" })}\n[agents.filed]\ninstructions = "file agent"\n`;
    ws?.write("project/agentry.toml", config);
    const local = await agentry(["run", "--output", "ndjson", "hi"], openAiEnv());
    expect(local.code).toBe(0);
    expect(parseNdjson(local.stdout)[0]?.["agent"]).toBe("filed");
    expect(body(0).model).toBe("m1");
    const named = ws?.write("elsewhere.toml", config.replace("m1", "m2")) as string;
    const viaEnv = await agentry(["run", "hi"], { ...openAiEnv(), AGENTRY_CONFIG: named }, ws?.dir);
    expect(viaEnv.code).toBe(0);
    expect(body(1).model).toBe("m2");
    const missing = await agentry(["run", "hi"], { ...openAiEnv(), AGENTRY_CONFIG: "nope.toml" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.toml (from AGENTRY_CONFIG)");
  });

  test("--tools with a configuration file is exit 2 (the file lists the tools)", async () => {
    await setup();
    project();
    ws?.write("project/agentry.toml", `[agents.a]\n`);
    const result = await agentry(["run", "--tools", "shell", "hi"], openAiEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--tools applies only without a configuration file");
  });
});

describe("zero-config: --tools with safe defaults", () => {
  test("--tools file is read-only and rooted at the working directory", async () => {
    await setup([
      { toolCalls: [{ id: "r", name: "file", arguments: { op: "read", path: "notes.txt" } }] },
      { toolCalls: [{ id: "w", name: "file", arguments: { op: "write", path: "new.txt", content: "x" } }] },
      { toolCalls: [{ id: "o", name: "file", arguments: { op: "read", path: "../outside.txt" } }] },
      { text: "done" },
    ]);
    project();
    ws?.write("project/notes.txt", "secret-notes-content");
    ws?.write("outside.txt", "outside-content");
    const result = await agentry(["run", "--tools", "file", "--output", "ndjson", "read"], openAiEnv());
    expect(result.code).toBe(0);
    expect(toolNames(0)).toEqual(["file"]);
    const results = parseNdjson(result.stdout).filter((event) => event["type"] === "tool_result");
    expect(results.map((event) => event["ok"])).toEqual([true, false, false]);
    expect(JSON.stringify(results[0])).toContain("secret-notes-content");
    expect(JSON.stringify(results[1])).toContain("read-only");
    expect(JSON.stringify(results)).not.toContain("outside-content");
    expect(() => statSync(join(ws?.dir as string, "project", "new.txt"))).toThrow();
  });

  test("--tools shell asks before every command: without a terminal the call is denied, never run", async () => {
    await setup([
      { toolCalls: [{ id: "s", name: "shell", arguments: { command: "touch made-by-shell" } }] },
      { text: "could not" },
    ]);
    const dir = project();
    const result = await agentry(["run", "--tools", "shell", "--output", "ndjson", "go"], openAiEnv());
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    const denied = events.find((event) => event["type"] === "tool_result");
    expect(denied?.["ok"]).toBe(false);
    expect(events.some((event) => event["type"] === "approval" && event["state"] === "denied")).toBe(true);
    expect(() => statSync(join(dir, "made-by-shell"))).toThrow();
  });

  test("--tools rejects a kind that is not built in", async () => {
    await setup();
    project();
    const result = await agentry(["run", "--tools", "file,http", "hi"], openAiEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown built-in tool "http"');
  });
});

describe("zero-config: init --from-env, validate, agents, tools", () => {
  test("init --from-env writes the equivalent TOML with ${VAR} references, and a run with it asks the same", async () => {
    await setup([{ text: "zero" }, { text: "filed" }]);
    const dir = project();
    const env = { ...openAiEnv(), AGENTRY_MODEL: "openai/gpt-4.1" };
    const zero = await agentry(["run", "--tools", "file,shell", "hi"], env);
    expect(zero.code).toBe(0);
    const init = await agentry(["init", "--from-env", "--tools", "file,shell"], env);
    expect(init.code).toBe(0);
    const written = readFileSync(join(dir, "agentry.toml"), "utf8");
    expect(written).toContain('api_key = "${OPENAI_API_KEY}"');
    expect(written).toContain('base_url = "${OPENAI_BASE_URL}"');
    expect(written).not.toContain(KEY);
    expect(written).not.toContain(mock?.baseUrls.openai as string);
    const validate = await agentry(["validate"], env);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toBe("ok: agentry.toml: 1 agent, 2 tools, 1 provider, 0 flows, 0 schedules\n");
    const filed = await agentry(["run", "hi"], env);
    expect(filed.code).toBe(0);
    const [a, b] = [body(0), body(1)];
    expect(b.model).toBe(a.model);
    expect(b.messages).toEqual(a.messages);
    expect(b.tools).toEqual(a.tools as Body["tools"]);
    const printed = await agentry(["init", "--from-env", "-"], env);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('model = "openai/gpt-4.1"');
    const noProvider = await agentry(["init", "--from-env", "-"]);
    expect(noProvider.code).toBe(2);
  });

  test("validate, agents --json and tools --json say they run in zero-config mode and what it resolved", async () => {
    await setup();
    project();
    const validate = await agentry(["validate"], openAiEnv());
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(
      "ok: no configuration file (zero-config: providers from the environment: openai",
    );
    expect(validate.stdout).toContain("1 agent, 0 tools, 1 provider");
    expect(validate.stdout + validate.stderr).not.toContain(KEY);
    const agents = await agentry(["agents", "--json"], openAiEnv());
    expect(agents.code).toBe(0);
    expect(JSON.parse(agents.stdout)).toEqual([
      {
        type: "agent",
        name: "assistant",
        default: true,
        model: "openai/gpt-4.1-mini",
        mode: "ask",
        tools: [],
        description: "General-purpose assistant (built in)",
      },
    ]);
    const tools = await agentry(["tools", "--json"], openAiEnv());
    expect(tools.code).toBe(0);
    expect(JSON.parse(tools.stdout)).toEqual([]);
  });
});

describe("zero-config: doctor, serve and mcp serve", () => {
  test("doctor checks what zero-config resolved: the key variable and the provider's base URL; without one it is exit 2", async () => {
    await setup();
    project();
    const doctor = await agentry(["doctor"], openAiEnv());
    expect(doctor.stdout).toContain(
      "ok    no configuration file (zero-config: providers from the environment: openai; model openai/gpt-4.1-mini (default)",
    );
    expect(doctor.stdout).toContain("${OPENAI_API_KEY} is set");
    expect(doctor.stdout).toContain(`ok    provider openai (openai): ${mock?.baseUrls.openai} is reachable`);
    expect(doctor.stdout).toContain("all checks passed");
    expect(doctor.code).toBe(0);
    expect(doctor.stdout + doctor.stderr).not.toContain(KEY);
    const none = await agentry(["doctor"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no provider is configured in the environment");
  });

  test("serve runs the built-in assistant without a configuration file", async () => {
    await setup([{ text: "served without a file" }]);
    const dir = project();
    if (!ws) throw new Error("no workspace");
    const token = "zero-config-serve-token-0123456789abcdef";
    const server = await startServerProcess(["--listen", "127.0.0.1:0"], {
      cwd: dir,
      env: {
        HOME: join(ws.dir, "home"),
        XDG_CONFIG_HOME: join(ws.dir, "xdg"),
        AGENTRY_STATE_DIR: ws.stateDir,
        AGENTRY_SERVER_TOKEN: token,
        ...openAiEnv(),
      },
    });
    try {
      const headers = { Authorization: `Bearer ${token}` };
      const agents = await fetch(`${server.url}/v1/agents`, { headers });
      expect(await agents.json()).toEqual({
        agents: [
          {
            name: "assistant",
            description: "General-purpose assistant (built in)",
            model: "openai/gpt-4.1-mini",
            default: true,
          },
        ],
      });
      const run = await fetch(`${server.url}/v1/agents/assistant/runs`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({
          threadId: "t1",
          runId: "run-1",
          messages: [{ id: "m1", role: "user", content: "hi" }],
          tools: [],
          context: [],
        }),
      });
      expect(run.status).toBe(200);
      const text = (await readSse(run))
        .filter((message) => message.data["type"] === "TEXT_MESSAGE_CONTENT")
        .map((message) => message.data["delta"])
        .join("");
      expect(text).toBe("served without a file");
      expect(server.stderr()).not.toContain(KEY);
    } finally {
      await server.stop();
    }
  });

  test("mcp serve offers the built-in assistant as a tool without a configuration file", async () => {
    await setup([{ text: "answered over MCP" }]);
    const dir = project();
    if (!ws) throw new Error("no workspace");
    const client = new Client({ name: "zero-config-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: BINARY,
        args: ["mcp", "serve"],
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: join(ws.dir, "home"),
          XDG_CONFIG_HOME: join(ws.dir, "xdg"),
          AGENTRY_STATE_DIR: ws.stateDir,
          NO_COLOR: "1",
          ...openAiEnv(),
        },
        cwd: dir,
        stderr: "ignore",
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(["assistant"]);
      const result = await client.callTool({ name: "assistant", arguments: { prompt: "hi" } });
      expect(result.content).toEqual([{ type: "text", text: "answered over MCP" }]);
    } finally {
      await client.close();
    }
  });
});

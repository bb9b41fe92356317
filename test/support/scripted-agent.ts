import {
  type MockProvider,
  type MockToolCall,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { type BinaryResult, runBinary } from "./binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "./workspace.ts";

/** A workspace whose single agent `probe` is driven by a scripted mock model. */
export interface ScriptedAgent {
  mock: MockProvider;
  ws: Workspace;
  /**
   * Runs `agentry run --output ndjson probe go` in the workspace (20 s hard timeout by default);
   * `via` runs it under another program (`["/usr/bin/time", "-f", "%M", BINARY]`).
   */
  run(options?: { timeoutMs?: number; args?: string[]; via?: string[] }): Promise<ScriptedRun>;
  close(): Promise<void>;
}

/** A finished run: the raw result plus its parsed ndjson events and tool results by call id. */
export interface ScriptedRun extends BinaryResult {
  events: Record<string, unknown>[];
  results: Map<string, Record<string, unknown>>;
}

/**
 * Starts a mock model that makes `calls` (one turn each; an array is one turn of parallel calls),
 * then answers "done"; writes a config
 * with `tools` (TOML tables) offered to agent `probe` in `auto` mode. Failure limits are raised
 * so a probe made of many refused calls runs every call.
 */
export async function scriptedAgent(
  tools: string,
  toolNames: string[],
  calls: Array<MockToolCall | MockToolCall[]>,
) {
  const turns: MockTurn[] = [
    ...calls.map((call) => ({ toolCalls: Array.isArray(call) ? call : [call] })),
    { text: "done" },
  ];
  const mock = await startMockProvider({ turns });
  const ws = makeWorkspace(`
[defaults]
agent = "probe"
model = "mock/gpt-4.1-mini"
max_turns = ${calls.length + 2}

${mockProviderToml(mock.baseUrls.openai)}
${tools}

[agents.probe]
tools = ${JSON.stringify(toolNames)}
mode = "auto"

[agents.probe.policy]
failures = { max_consecutive = 100000, max_total = 100000 }
loop = { max_repeats = 100000 }
breaker = { failures = 100000 }
`);
  const agent: ScriptedAgent = {
    mock,
    ws,
    async run(options = {}) {
      const [via, ...viaArgs] = options.via ?? [];
      const result = await runBinary(
        [
          ...viaArgs,
          "run",
          "-c",
          ws.configPath,
          "--output",
          "ndjson",
          ...(options.args ?? []),
          "probe",
          "go",
        ],
        {
          cwd: ws.dir,
          env: { AGENTRY_STATE_DIR: ws.stateDir },
          timeoutMs: options.timeoutMs ?? 20_000,
          ...(via ? { binary: via } : {}),
        },
      );
      const events = result.code === null ? [] : parseNdjson(result.stdout);
      const results = new Map<string, Record<string, unknown>>();
      for (const event of events) if (event.type === "tool_result") results.set(String(event.id), event);
      return { ...result, events, results };
    },
    async close() {
      await mock.close();
      ws.remove();
    },
  };
  return agent;
}

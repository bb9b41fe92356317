/**
 * The common setup of the run benchmarks: the mock provider scripted with N tool-call turns per
 * agent, a tiny file for the tool to read, an agentry config and the compiled floor.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { RESULTS, ROOT, timedSpawn } from "./support.ts";

export interface BenchSetup {
  mock: MockProvider;
  dir: string;
  file: string;
  config: string;
  stateDir: string;
  close(): Promise<void>;
}

/** A mock where every agent makes `toolTurns` tool calls (one per turn), then answers. */
export async function benchSetup(
  toolTurns: number,
  latencyMs = 0,
  onRequest: () => void = () => {},
): Promise<BenchSetup> {
  const mock = await startMockProvider({
    latencyMs,
    turns: (request) => {
      onRequest();
      const messages = (request.body as { messages: { role: string }[] }).messages;
      const done = messages.filter((m) => m.role === "tool").length;
      return done < toolTurns
        ? {
            toolCalls: [
              { id: `c${done}`, name: "read", arguments: { op: "read", path: "data.txt", limit: done + 1 } },
            ],
          }
        : { text: "finished" };
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "agentry-bench-"));
  const file = join(dir, "data.txt");
  writeFileSync(file, "bench data\n");
  const config = join(dir, "agentry.toml");
  writeFileSync(
    config,
    `[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"
max_turns = ${toolTurns + 1}
timeout = "30m"

[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
retries = 0

[tools.read]
kind = "file"
root = "${dir}"

[agents.a]
tools = ["read"]
mode = "auto"
`,
  );
  return { mock, dir, file, config, stateDir: join(dir, "state"), close: () => mock.close() };
}

/** Compiles the floor like agentry (`bun build --compile --minify --bytecode`). */
export async function buildFloor(): Promise<string> {
  const outfile = join(RESULTS, "floor");
  const result = await timedSpawn([
    process.execPath,
    "build",
    "--compile",
    "--minify",
    "--bytecode",
    "--format=esm",
    join(ROOT, "scripts/bench/floor/floor.ts"),
    "--outfile",
    outfile,
  ]);
  if (result.code !== 0) throw new Error(`floor build failed: ${result.stderr}`);
  return outfile;
}

/** The environment every benchmarked program gets. */
export function benchEnv(stateDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "",
    NO_COLOR: "1",
    AGENTRY_STATE_DIR: stateDir,
    ...extra,
  };
}

import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../../src/testing/index.ts";
import { BINARY, runBinary } from "../../support/binary.ts";
import { shellQuote } from "../../support/terminal.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

/** Runs `agentry ARGS | READER` in bash and reports agentry's own exit status and stderr. */
async function piped(args: string[], reader: string) {
  const command = `${[BINARY, ...args].map(shellQuote).join(" ")} 2>agentry.err | ${reader}; echo "agentry exit \${PIPESTATUS[0]}"`;
  const result = await runBinary(["-c", command], {
    binary: "bash",
    cwd: ws?.dir as string,
    env: { AGENTRY_STATE_DIR: ws?.stateDir },
  });
  const status = Number(/agentry exit (\d+)/.exec(result.stdout)?.[1]);
  return {
    status,
    stdout: result.stdout,
    stderr: readFileSync(join(ws?.dir as string, "agentry.err"), "utf8"),
  };
}

function auditTypes(): string[] {
  return readFileSync(join(ws?.dir as string, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

async function setup() {
  mock = await startMockProvider({
    turns: [
      { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo tool ran" } }] },
      { text: "done" },
    ],
    faults: (request) => (request.index > 0 ? { latencyMs: 400 } : undefined),
  });
  ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
allow = ["echo *"]
env = ["PATH"]

[agents.a]
tools = ["sh"]
mode = "auto"

[audit]
path = "audit.jsonl"
`);
  return ws;
}

describe("issue 12 item 4: a closed stdout ends the command quietly", () => {
  test("`run --output ndjson | head -1`: exit 0 or 141, no stack trace, audit log written", async () => {
    const w = await setup();
    const result = await piped(["run", "-c", w.configPath, "--output", "ndjson", "go"], "head -1");
    expect(result.stdout).toContain('"type":"run_start"');
    expect([0, 141]).toContain(result.status);
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(auditTypes()).toContain("run_end");
  });

  test("`batch … | head -0`: exit 0 or 141, no stack trace, audit log written", async () => {
    const w = await setup();
    w.write("jobs.jsonl", `${JSON.stringify({ id: "j1", prompt: "go" })}\n`);
    const result = await piped(["batch", "-c", w.configPath, "jobs.jsonl"], "head -0");
    expect([0, 141]).toContain(result.status);
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(auditTypes()).toContain("run_end");
  });
});

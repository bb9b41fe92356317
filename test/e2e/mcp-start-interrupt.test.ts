import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockDefaultsToml, parseNdjson } from "../support/workspace.ts";

const fixture = e2eFixture();

function processAlive(pattern: string): boolean {
  return Bun.spawnSync(["pgrep", "-f", pattern]).stdout.toString().trim() !== "";
}

/**
 * A workspace whose agent uses an optional stdio MCP server that never answers `initialize` (a
 * `sleep` whose argument is `marker`'s number), with a long `startup_timeout`, and whose run
 * timeout is `timeout`.
 */
async function agentWaitingForMcp(marker: string, timeout = "10m") {
  const mock = await fixture.mock([{ text: "unreachable: the agent never starts" }]);
  return fixture.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "a")}
[mcp.silent]
command = "sleep"
args = ["${marker.split(" ")[1]}"]
required = false
startup_timeout = "60s"

[audit]
path = "audit.jsonl"

[agents.a]
tools = ["mcp:silent"]
timeout = "${timeout}"
`);
}

describe("a run stopped while its agent waits for an MCP server to start", () => {
  test("Ctrl-C ends it at once (exit 130, run_end interrupted), not after startup_timeout, and the server is killed", async () => {
    const marker = `sleep 51.${process.pid}`;
    const ws = await agentWaitingForMcp(marker);
    const running = startBinary(["run", "-c", ws.configPath, "--output", "ndjson", "go"], {
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir },
      timeoutMs: 50_000,
    });
    fixture.afterThis(() => Bun.spawnSync(["pkill", "-f", marker]));
    const deadline = Date.now() + 20_000;
    while (!processAlive(marker) && Date.now() < deadline) await Bun.sleep(25);
    expect(processAlive(marker)).toBe(true);
    running.child.kill("SIGINT");
    const { code, stdout } = await running.finished;
    // The server's startup_timeout is 60 s and the harness gives up at 50 s: an exit at all means
    // the run did not wait for the server.
    expect(code).toBe(130);
    const end = parseNdjson(stdout).find((event) => event.type === "run_end");
    expect(end).toMatchObject({ status: "interrupted", stop_reason: "interrupted", turns: 0 });
    expect(fixture.provider.requests).toHaveLength(0);
    expect(processAlive(marker)).toBe(false);
    const audit = readFileSync(join(ws.dir, "audit.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(audit.at(-1) ?? "{}")).toMatchObject({ type: "run_end", status: "interrupted" });
  });

  test("the run's own timeout ends it while the server is still starting (stop_reason timeout)", async () => {
    const marker = `sleep 52.${process.pid}`;
    await agentWaitingForMcp(marker, "1s");
    fixture.afterThis(() => Bun.spawnSync(["pkill", "-f", marker]));
    const result = await fixture.agentry(["run", "--output", "ndjson", "go"], { timeoutMs: 50_000 });
    const end = parseNdjson(result.stdout).find((event) => event.type === "run_end");
    expect(end).toMatchObject({ status: "failed", stop_reason: "timeout", turns: 0 });
    expect(fixture.provider.requests).toHaveLength(0);
    expect(processAlive(marker)).toBe(false);
  });
});

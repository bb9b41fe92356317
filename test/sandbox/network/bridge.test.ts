import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAllowList } from "../../../src/sandbox/network/allow-list.ts";
import { bridgedEnvironment } from "../../../src/sandbox/network/bridge.ts";
import { bridgeCommand } from "../../../src/sandbox/network/bridge-command.ts";
import type { ProxyEvent } from "../../../src/sandbox/network/proxy-events.ts";
import { type NetworkProxy, startProxy } from "../../../src/sandbox/network/proxy-server.ts";
import { createNetworkPolicy } from "../../../src/tools/http/network-policy.ts";

let dir: string;
let proxy: NetworkProxy | undefined;
let server: Server | undefined;
afterEach(async () => {
  await proxy?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(
  argv: string[],
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("the bridge (agentry __sandbox-bridge), outside any sandbox", () => {
  test("the command's proxy variables lead through the bridge to the proxy, which applies network_allow", async () => {
    dir = mkdtempSync(join(tmpdir(), "agentry-bridge-test-"));
    server = createServer((req, res) => res.end(`served ${req.url} for ${req.headers.host}`));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const events: ProxyEvent[] = [];
    const socket = join(dir, "s");
    proxy = await startProxy(socket, {
      allow: compileAllowList([`localhost:${port}`]),
      policy: createNetworkPolicy(undefined, ["127.0.0.1"], "network_allow_private"),
      onEvent: (event) => events.push(event),
    });
    const bridge = bridgeCommand() as string[];
    const script = `curl -sS http://localhost:${port}/x; echo; curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:${port}/y`;
    const result = await run([...bridge, "--socket", socket, "--", "/bin/sh", "-c", script]);
    expect(result.stdout).toBe(`served /x for localhost:${port}\n403`);
    expect(result.code).toBe(0);
    expect(events.map((event) => [event.type, "destination" in event ? event.destination : ""])).toEqual([
      ["allowed", `localhost:${port}`],
      ["refused", `127.0.0.1:${port}`],
    ]);
  }, 30_000);

  test("exit codes and signals of the command are passed on; a missing socket or command fails clearly", async () => {
    dir = mkdtempSync(join(tmpdir(), "agentry-bridge-test-"));
    const socket = join(dir, "s");
    proxy = await startProxy(socket, {
      allow: compileAllowList([]),
      policy: createNetworkPolicy(undefined, []),
      onEvent: () => {},
    });
    const bridge = bridgeCommand() as string[];
    expect((await run([...bridge, "--socket", socket, "--", "/bin/sh", "-c", "exit 7"])).code).toBe(7);
    expect((await run([...bridge, "--socket", socket, "--", "/bin/sh", "-c", "kill -TERM $$"])).signal).toBe(
      "SIGTERM",
    );
    const missing = await run([...bridge, "--socket", join(dir, "absent"), "--", "true"]);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({
      code: 125,
      stderr: `agentry sandbox bridge: the proxy socket ${join(dir, "absent")} is not there\n`,
    });
    const unknown = await run([...bridge, "--socket", socket, "--", "/no/such/program"]);
    expect(unknown.code).toBe(127);
  }, 30_000);
});

describe("bridged environment", () => {
  test("sets every proxy variable in both cases, NO_PROXY empty unless the tool set it", () => {
    const env = bridgedEnvironment({ PATH: "/bin", HTTP_PROXY: "http://elsewhere:1" }, "http://127.0.0.1:9");
    expect(env).toEqual({
      PATH: "/bin",
      HTTP_PROXY: "http://127.0.0.1:9",
      HTTPS_PROXY: "http://127.0.0.1:9",
      ALL_PROXY: "http://127.0.0.1:9",
      http_proxy: "http://127.0.0.1:9",
      https_proxy: "http://127.0.0.1:9",
      all_proxy: "http://127.0.0.1:9",
      NO_PROXY: "",
      no_proxy: "",
    });
    expect(bridgedEnvironment({ NO_PROXY: "localhost" }, "http://127.0.0.1:9")["no_proxy"]).toBe("localhost");
  });

  test("the bridge command is agentry itself (bun + the entry script in a checkout) with the hidden subcommand", () => {
    expect(bridgeCommand()?.slice(1)).toEqual([
      join(import.meta.dir, "../../../cmd/agentry.ts"),
      "__sandbox-bridge",
    ]);
    expect(bridgeCommand(["/opt/agentry"])).toEqual(["/opt/agentry", "__sandbox-bridge"]);
  });
});

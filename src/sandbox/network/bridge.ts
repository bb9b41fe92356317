import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";

/** How the bridged command ended: an exit code, or the signal that killed it (re-raised by the caller). */
export type BridgeExit = { code: number } | { signal: NodeJS.Signals };

/** Exit code when the bridge itself cannot start (bad arguments, no proxy socket). */
export const BRIDGE_FAILED = 125;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"];
const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"];

function fail(message: string): BridgeExit {
  process.stderr.write(`agentry sandbox bridge: ${message}\n`);
  return { code: BRIDGE_FAILED };
}

/** Listens on an ephemeral loopback port and pipes every connection to the proxy's Unix socket. */
function listenBridge(socketPath: string): Promise<Server> {
  const server = createServer((client: Socket) => {
    const upstream = connect(socketPath);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut).on("close", cut);
    upstream.on("error", cut).on("close", cut);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/**
 * The environment of the bridged command: its own, with every proxy variable (both cases; curl
 * reads only lower-case `http_proxy`) pointing at the bridge. `NO_PROXY` is empty unless the tool's
 * environment sets it: inside the sandbox's network namespace only loopback exists, and even
 * `localhost` is better reached through the proxy's checks than not at all.
 */
export function bridgedEnvironment(env: NodeJS.ProcessEnv, proxyUrl: string): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const name of PROXY_VARIABLES) result[name] = proxyUrl;
  result["NO_PROXY"] = env["NO_PROXY"] ?? "";
  result["no_proxy"] = env["no_proxy"] ?? env["NO_PROXY"] ?? "";
  return result;
}

/**
 * `agentry __sandbox-bridge --socket PATH -- CMD [ARGS…]`, run inside the sandbox's network
 * namespace, where only loopback exists. Listens on 127.0.0.1 (an ephemeral port) BEFORE starting
 * the command, so the proxy is reachable from the command's first instruction; pipes each TCP
 * connection to the proxy's Unix socket bound into the sandbox; runs the command with the proxy
 * variables set and stdio inherited; forwards termination signals; ends when the command ends and
 * reports how it ended. It enforces nothing: the proxy outside the sandbox does.
 */
export async function runBridge(args: readonly string[]): Promise<BridgeExit> {
  const separator = args.indexOf("--");
  const options = separator < 0 ? args : args.slice(0, separator);
  const command = separator < 0 ? [] : args.slice(separator + 1);
  const socketAt = options.indexOf("--socket");
  const socketPath = socketAt >= 0 ? options[socketAt + 1] : undefined;
  if (!socketPath || options.length !== 2 || command.length === 0) {
    return fail("usage: agentry __sandbox-bridge --socket PATH -- COMMAND [ARGS...]");
  }
  if (!existsSync(socketPath)) return fail(`the proxy socket ${socketPath} is not there`);
  let server: Server;
  try {
    server = await listenBridge(socketPath);
  } catch (err) {
    return fail(`cannot listen on 127.0.0.1: ${(err as Error).message}`);
  }
  const { port } = server.address() as { port: number };
  const env = bridgedEnvironment(process.env, `http://127.0.0.1:${port}`);
  const child = spawn(command[0] as string, command.slice(1), { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const exit = await new Promise<BridgeExit>((resolve) => {
    child.once("error", (err: NodeJS.ErrnoException) => {
      process.stderr.write(`agentry sandbox bridge: cannot run ${command[0]}: ${err.message}\n`);
      resolve({ code: err.code === "ENOENT" ? 127 : 126 });
    });
    child.once("exit", (code, signal) => resolve(signal ? { signal } : { code: code ?? BRIDGE_FAILED }));
  });
  for (const [signal, handler] of handlers) process.off(signal, handler);
  server.close();
  return exit;
}

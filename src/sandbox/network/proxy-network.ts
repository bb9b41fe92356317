import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseIp } from "../../tools/http/ip-address.ts";
import { createNetworkPolicy } from "../../tools/http/network-policy.ts";
import { type AllowList, compileAllowList } from "./allow-list.ts";
import { bridgeCommand } from "./bridge-command.ts";
import type { ResolveAddresses } from "./dial.ts";
import { canonicalHost } from "./host-name.ts";
import { createReportCollector, type NetworkReporter } from "./network-report.ts";
import { type ProxyLimits, startProxy } from "./proxy-server.ts";
import { createSocketPath, proxySocketRoot } from "./socket-dir.ts";

/** The network settings of one sandboxed tool or MCP server with `network = "allow"` and a `network_allow`. */
export interface ProxyNetworkConfig {
  /** `network_allow` entries (validated by the config check). */
  allow: readonly string[];
  /** `network_allow_private`: hosts or CIDRs the SSRF guard lets through (e.g. a local test server). */
  allowPrivate?: readonly string[];
}

/** Overrides for tests and embedders. */
export interface ProxyNetworkOptions {
  /** The command that starts the bridge (default: agentry re-executing itself, `bridgeCommand()`). */
  bridge?: readonly string[];
  /** Where proxy sockets live (default `proxySocketRoot()`). */
  root?: string;
  resolve?: ResolveAddresses;
  limits?: Partial<ProxyLimits>;
}

/**
 * What the sandbox needs to route a launch through a proxy: it adds `bwrapArgs` AFTER its own
 * mount arguments, keeps `--unshare-net`, and runs `wrap(argv)` instead of `argv`.
 */
export interface ProxyAttachment {
  /** `--tmpfs` over every proxy socket, then a read-only bind of this one (connect() needs no write access). */
  bwrapArgs: readonly string[];
  /** The bridge command line running `argv` inside the sandbox. */
  wrap(argv: readonly string[]): string[];
}

/**
 * A running proxy for one sandboxed process (a shell call, or a stdio MCP server for its
 * lifetime). `takeReport` tells what it did since it was last asked (also after `close`).
 */
export interface ProxyNetwork extends ProxyAttachment, NetworkReporter {
  /** Where the proxy socket appears inside the sandbox. */
  insidePath: string;
  /** Stops the proxy (cutting open tunnels) and removes its socket; idempotent. */
  close(): Promise<void>;
}

/** The allow-listed network cannot be provided here; the caller refuses the call (fail closed). */
export class ProxyNetworkUnavailable extends Error {
  override readonly name = "ProxyNetworkUnavailable";
}

/**
 * Starts the proxy for one sandboxed process on a fresh socket in a private directory. One proxy
 * per process keeps each sandbox to its own allow list and attributes every refusal to its call;
 * the sandbox sees only its own socket (a tmpfs hides the others, which a same-user process could
 * otherwise connect to). Throws `ProxyNetworkUnavailable` when it cannot start.
 */
export async function startProxyNetwork(
  config: ProxyNetworkConfig,
  options: ProxyNetworkOptions = {},
): Promise<ProxyNetwork> {
  const bridge = options.bridge ?? bridgeCommand();
  if (!bridge) {
    throw new ProxyNetworkUnavailable(
      'network = "allow" needs the agentry executable (it re-executes itself as the bridge inside the sandbox); it is not available when agentry runs as a library',
    );
  }
  let allow: AllowList;
  try {
    allow = compileAllowList(config.allow);
  } catch (err) {
    throw new ProxyNetworkUnavailable((err as Error).message);
  }
  const allowPrivate = (config.allowPrivate ?? []).map((entry) =>
    entry.includes("/") || parseIp(entry) ? entry : (canonicalHost(entry)?.host ?? entry),
  );
  const policy = createNetworkPolicy(undefined, allowPrivate, "network_allow_private");
  const root = options.root ?? proxySocketRoot();
  let paths: { dir: string; socket: string };
  try {
    paths = createSocketPath(root);
  } catch (err) {
    throw new ProxyNetworkUnavailable(`cannot create the network proxy socket: ${(err as Error).message}`);
  }
  const collector = createReportCollector();
  const proxy = await startProxy(paths.socket, {
    allow,
    policy,
    onEvent: collector.listener,
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  }).catch((err: Error) => {
    rmSync(paths.dir, { recursive: true, force: true });
    throw new ProxyNetworkUnavailable(`cannot start the network proxy: ${err.message}`);
  });
  const insidePath = join(root, "proxy.sock");
  let closed: Promise<void> | undefined;
  return {
    bwrapArgs: ["--tmpfs", root, "--ro-bind", paths.socket, insidePath],
    insidePath,
    wrap: (argv) => [...bridge, "--socket", insidePath, "--", ...argv],
    takeReport: () => collector.take(),
    close: () => {
      closed ??= proxy.close().then(() => rmSync(paths.dir, { recursive: true, force: true }));
      return closed;
    },
  };
}

import { tmpdir } from "node:os";
import type { SandboxConfig } from "../config/schema.ts";
import { bwrapArgs, bwrapRanCommand } from "./bwrap-args.ts";
import { findLauncher } from "./find-launcher.ts";
import type { SandboxHost } from "./host.ts";
import type { NetworkReporter } from "./network/network-report.ts";
import type { ProxyNetwork } from "./network/proxy-network.ts";
import { reserveSocketRoot } from "./network/socket-dir.ts";
import { runtimeMounts } from "./runtime-dirs.ts";
import { locate, type SandboxNetwork, type SandboxPolicy, sandboxPolicy } from "./sandbox-policy.ts";
import { seatbeltProfile } from "./seatbelt-profile.ts";
import { KERNEL_DIRS } from "./system-dirs.ts";
import { verifyMounts } from "./verify-mounts.ts";

/** The descriptor on which the launched process reports its sandbox status (bwrap's `--json-status-fd`). */
export const STATUS_FD = 3 as const;

/** How to start one sandboxed command. */
export interface SandboxLaunch {
  file: string;
  args: string[];
  /** Set when the runner must open a pipe at this descriptor and hand its text to `setupFailure`. */
  statusFd?: typeof STATUS_FD;
  /** Frees what the launch holds (the allow-listed network's proxy); call once, after the process ended. */
  release(): Promise<void>;
  /** With `network_allow`: the launch's proxy, whose report (what it refused) goes into the results. */
  network?: NetworkReporter;
}

/** A launch, or why the sandbox cannot be enforced now (nothing may run then). */
export type SandboxPrepared = { ok: true; launch: SandboxLaunch } | { ok: false; reason: string };

/** How a sandboxed launch ended, as far as telling the sandbox's failures from the command's goes. */
export interface LaunchEnd {
  /** Text written on `statusFd`. */
  status: string;
  exitCode: number | null;
  output: string;
}

/**
 * The sandbox of one shell tool or stdio MCP server. `prepare` wraps a command (bubblewrap on
 * Linux, `sandbox-exec` on macOS) or refuses; `setupFailure` tells, after the launch ended by
 * itself, whether the sandbox never started the command. Never runs anything unconfined.
 */
export interface Sandbox {
  readonly policy: SandboxPolicy;
  /** One line for a tool's description: what the command may touch. */
  readonly summary: string;
  /**
   * Wraps a command, re-checking the file system first. `status` (default true) asks for a status
   * pipe at `STATUS_FD` (bwrap's `--json-status-fd`), which the runner must then open. With
   * `network_allow` it starts the launch's proxy (src/sandbox/network/), which `release` stops.
   */
  prepare(file: string, args: readonly string[], status?: boolean): Promise<SandboxPrepared>;
  /**
   * After a launch that ended by itself: why the sandbox could not be set up, or undefined when
   * the command ran, or when the sandbox was set up but the program cannot be executed inside it
   * (it lies under a hidden path, or behind a symlink in the host's /tmp: the command's own
   * failure, in its output).
   */
  setupFailure(end: LaunchEnd): string | undefined;
}

/** Where a sandbox's command runs, the host around it and agentry's own PATH (to find `bwrap`). */
export interface SandboxOptions {
  cwd: string;
  host: SandboxHost;
  path: string | undefined;
  platform?: NodeJS.Platform;
}

/** The sandbox a tool or server configures, or undefined when `sandbox` is absent or `off`. */
export function createSandbox(config: SandboxConfig, options: SandboxOptions): Sandbox | undefined {
  const policy = sandboxPolicy(config, options.cwd, options.host);
  if (!policy) return undefined;
  const platform = options.platform ?? process.platform;
  const summary = summarise(policy);
  if (platform === "linux") return bubblewrapSandbox(policy, options, summary);
  if (platform === "darwin") return seatbeltSandbox(policy, options, summary);
  return {
    policy,
    summary,
    prepare: async () => ({ ok: false, reason: `no sandbox is available on ${platform}` }),
    setupFailure: () => undefined,
  };
}

function bubblewrapSandbox(policy: SandboxPolicy, options: SandboxOptions, summary: string): Sandbox {
  const launcher = findLauncher("bwrap", options.path, policy.writable);
  return {
    policy,
    summary,
    async prepare(file, args, status = true) {
      if (!launcher.ok) return { ok: false, reason: launcher.reason };
      reserveSocketRoot();
      const runtime = runtimeMounts();
      const verified = verifyMounts(policy, options.host, {
        systemDirs: [...KERNEL_DIRS, ...runtime.hide],
        program: file,
      });
      if (!verified.ok) return verified;
      const proxy = await startProxy(policy.network);
      if (!proxy.ok) return proxy;
      const { network } = proxy;
      const prefix = bwrapArgs({
        mounts: verified.mounts,
        cwd: policy.cwd,
        network: policy.network,
        runtime,
        ...(status ? { statusFd: STATUS_FD } : {}),
        ...(network ? { extraArgs: network.bwrapArgs } : {}),
      });
      const launchArgs = [...prefix, "--", ...(network ? network.wrap([file, ...args]) : [file, ...args])];
      const launch: SandboxLaunch = network
        ? { file: launcher.file, args: launchArgs, release: network.close, network }
        : { file: launcher.file, args: launchArgs, release: nothingHeld };
      return { ok: true, launch: status ? { ...launch, statusFd: STATUS_FD } : launch };
    },
    setupFailure(end) {
      if (bwrapRanCommand(end.status)) return undefined;
      const said = end.output
        .trim()
        .split("\n")
        .find((line) => line.startsWith("bwrap:"));
      if (said?.startsWith("bwrap: execvp ")) return undefined;
      return `bubblewrap could not set up the sandbox${said ? `: ${said.slice(6).trim()}` : ` (exit code ${end.exitCode})`}`;
    },
  };
}

const SANDBOX_EXEC = "/usr/bin/sandbox-exec";

function seatbeltSandbox(policy: SandboxPolicy, options: SandboxOptions, summary: string): Sandbox {
  return {
    policy,
    summary,
    async prepare(file, args) {
      if (!locate(SANDBOX_EXEC)) return { ok: false, reason: `${SANDBOX_EXEC} is missing` };
      if (policy.network.kind === "proxy") {
        return {
          ok: false,
          reason: 'network_allow is not available on macOS; use network = "none" or an empty list',
        };
      }
      const verified = verifyMounts(policy, options.host);
      if (!verified.ok) return verified;
      const temp =
        policy.mode === "workspace-write" ? ["/private/tmp", locate(tmpdir())?.real ?? tmpdir()] : [];
      const profile = seatbeltProfile({
        writable: verified.mounts.writable,
        readOnly: verified.mounts.readOnly,
        denyRead: [...verified.mounts.hideDirs, ...verified.mounts.hideFiles],
        network: policy.network,
        tempDirs: temp,
      });
      return {
        ok: true,
        launch: { file: SANDBOX_EXEC, args: ["-p", profile, file, ...args], release: nothingHeld },
      };
    },
    setupFailure(end) {
      const said = end.output.trim().split("\n")[0] ?? "";
      return end.exitCode !== 0 && said.startsWith("sandbox-exec:")
        ? `sandbox-exec could not apply the profile: ${said.slice(13).trim()}`
        : undefined;
    },
  };
}

async function nothingHeld(): Promise<void> {}

/**
 * The allow-listed network's proxy for one launch when the sandbox routes its network through one
 * (`network_allow`; loaded only then, so a run that does not use it pays nothing), or why it
 * cannot start: then nothing runs.
 */
async function startProxy(
  network: SandboxNetwork,
): Promise<{ ok: true; network: ProxyNetwork | undefined } | { ok: false; reason: string }> {
  if (network.kind !== "proxy") return { ok: true, network: undefined };
  const { startProxyNetwork, ProxyNetworkUnavailable } = await import("./network/proxy-network.ts");
  try {
    return { ok: true, network: await startProxyNetwork(network) };
  } catch (error) {
    if (error instanceof ProxyNetworkUnavailable) return { ok: false, reason: error.message };
    throw error;
  }
}

function summarise(policy: SandboxPolicy): string {
  const writes =
    policy.mode === "read-only"
      ? "nothing is writable except a private /tmp"
      : `writable: ${policy.writable.join(", ") || "nothing"} and a private /tmp`;
  const network =
    policy.network.kind === "none"
      ? "no network"
      : policy.network.kind === "host"
        ? "network: unrestricted"
        : `network: only ${policy.network.allow.join(", ")}`;
  return `Sandboxed (${policy.mode}): ${writes}; credentials such as ~/.ssh are hidden; ${network}.`;
}

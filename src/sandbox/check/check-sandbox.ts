import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { runProcessTree } from "../../tools/shell/process-tree.ts";
import type { SandboxHost } from "../host.ts";
import type { Sandbox } from "../sandbox.ts";
import { isWithin } from "../sandbox-policy.ts";
import { PROBE_SUBCOMMAND, type ProbeOutcome, probeReport } from "./probe.ts";

/** One line of `agentry sandbox check`: a protection that holds (`ok`), one that does not (`fail`), or a fact (`info`). */
export interface CheckLine {
  state: "ok" | "fail" | "info";
  text: string;
}

/** What a check needs: the sandbox as its tool builds it, the host around it, and how to start agentry. */
export interface CheckTarget {
  sandbox: Sandbox;
  host: SandboxHost;
  /** The agentry command (`selfCommand()`), run inside the sandbox as the probe. */
  self: readonly string[];
}

const PROBE_TIMEOUT_MS = 30_000;

/**
 * Proves a sandbox on this host, from inside it: it starts at all; a write outside the writable
 * roots fails and leaves no file; a canary in agentry's state dir (denied in every sandbox) and
 * `~/.ssh` cannot be read; a TCP connection to a server agentry listens on at the host's
 * 127.0.0.1 fails unless the host network is allowed; with `network_allow`, the network proxy
 * refuses a tunnel to that server (a destination not in the list) and never connects to it. The
 * probes are agentry itself, so no tool of the host is needed; they run through the same launch
 * path as the tool's own calls.
 */
export async function checkSandbox(target: CheckTarget): Promise<CheckLine[]> {
  const started = await probe(target, ["read", target.sandbox.policy.cwd]);
  if ("refusal" in started)
    return [{ state: "fail", text: `the sandbox cannot be enforced: ${started.refusal}` }];
  const lines: CheckLine[] = [
    { state: "ok", text: `the sandbox starts (working directory ${target.sandbox.policy.cwd})` },
  ];
  lines.push(await forbiddenWrite(target));
  lines.push(...(await deniedReads(target)));
  lines.push(...(await network(target)));
  return lines;
}

type Probed = { refusal: string } | { report: ProbeOutcome | undefined; output: string };

async function probe(target: CheckTarget, args: string[]): Promise<Probed> {
  const [file, ...rest] = target.self;
  if (file === undefined) return { refusal: "the agentry executable is not known" };
  const prepared = await target.sandbox.prepare(file, [...rest, PROBE_SUBCOMMAND, ...args]);
  if (!prepared.ok) return { refusal: prepared.reason };
  const { launch } = prepared;
  try {
    const outcome = await runProcessTree({
      file: launch.file,
      args: launch.args,
      ...(launch.statusFd !== undefined ? { statusFd: launch.statusFd } : {}),
      env: {},
      cwd: target.sandbox.policy.cwd,
      timeoutMs: PROBE_TIMEOUT_MS,
      maxOutput: 64 * 1024,
      signal: new AbortController().signal,
    });
    if (outcome.spawnError) return { refusal: outcome.spawnError };
    const failure = target.sandbox.setupFailure({
      status: outcome.status ?? "",
      exitCode: outcome.exitCode,
      output: outcome.output,
    });
    if (failure) return { refusal: failure };
    return { report: probeReport(outcome.output), output: outcome.output };
  } finally {
    await launch.release();
  }
}

/** How a probe that should have been refused ended, for the check's line. */
function refusedHow(probed: Probed): { refused: boolean; how: string } {
  if ("refusal" in probed) return { refused: false, how: `the probe could not run: ${probed.refusal}` };
  if (!probed.report)
    return { refused: false, how: `the probe did not report: ${probed.output.trim().slice(0, 200)}` };
  return { refused: !probed.report.succeeded, how: probed.report.detail };
}

async function forbiddenWrite(target: CheckTarget): Promise<CheckLine> {
  const { policy } = target.sandbox;
  const candidates =
    policy.mode === "read-only"
      ? [policy.cwd, target.host.home, "/var/tmp"]
      : [target.host.home, "/var/tmp", "/"];
  const dir = candidates.find(
    (path) => existsSync(path) && !policy.writable.some((root) => isWithin(path, root)),
  );
  if (dir === undefined)
    return { state: "info", text: "no directory outside the writable paths to try a write in" };
  const path = join(dir, `.agentry-sandbox-check-${randomUUID().slice(0, 8)}`);
  const { refused, how } = refusedHow(await probe(target, ["write", path]));
  const leaked = existsSync(path);
  if (leaked) rmSync(path, { force: true });
  return refused && !leaked
    ? { state: "ok", text: `a write outside the writable paths fails: ${path} (${how})` }
    : { state: "fail", text: `a write outside the writable paths was not stopped: ${path} (${how})` };
}

async function deniedReads(target: CheckTarget): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const stateDir = target.host.agentryPaths[0];
  if (stateDir !== undefined) {
    const token = randomUUID();
    const canary = join(stateDir, `sandbox-check-${token.slice(0, 8)}`);
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(canary, token, { mode: 0o600 });
    try {
      const probed = await probe(target, ["read", canary]);
      const { refused, how } = refusedHow(probed);
      const seen = "output" in probed && probed.output.includes(token);
      lines.push(
        refused && !seen
          ? { state: "ok", text: `a denied read fails: ${canary} in the state dir (${how})` }
          : { state: "fail", text: `a denied file was readable: ${canary} in the state dir (${how})` },
      );
    } finally {
      rmSync(canary, { force: true });
    }
  }
  const ssh = join(target.host.home, ".ssh");
  if (existsSync(ssh)) {
    const { refused, how } = refusedHow(await probe(target, ["read", ssh]));
    lines.push(
      refused
        ? { state: "ok", text: `a denied read fails: ${ssh} (${how})` }
        : { state: "fail", text: `a denied directory was readable: ${ssh} (${how})` },
    );
  }
  return lines;
}

async function network(target: CheckTarget): Promise<CheckLine[]> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    const { refused, how } = refusedHow(await probe(target, ["connect", "127.0.0.1", String(port)]));
    const where = `127.0.0.1:${port} on the host`;
    if (target.sandbox.policy.network.kind === "host") {
      return [
        {
          state: "info",
          text: `network = "allow" without network_allow is the host network: a connection to ${where} ${refused ? `failed (${how})` : "succeeded"}`,
        },
      ];
    }
    const direct: CheckLine =
      refused && connections === 0
        ? { state: "ok", text: `a direct network connection fails: ${where} (${how})` }
        : { state: "fail", text: `a direct network connection was not stopped: ${where} (${how})` };
    if (target.sandbox.policy.network.kind !== "proxy") return [direct];
    const before = connections;
    const tunnel = refusedHow(await probe(target, ["proxy", "127.0.0.1", String(port)]));
    const proxied: CheckLine =
      tunnel.refused && tunnel.how === "HTTP 403" && connections === before
        ? {
            state: "ok",
            text: `the network proxy refuses a destination not in network_allow: ${where} (${tunnel.how})`,
          }
        : {
            state: "fail",
            text: `the network proxy did not refuse a destination not in network_allow: ${where} (${tunnel.how})`,
          };
    return [direct, proxied];
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { SandboxConfig } from "../config/schema.ts";
import { defaultDenyRead } from "./default-deny.ts";
import type { SandboxHost } from "./host.ts";

/** How a sandboxed process reaches the network. */
export type SandboxNetwork =
  /** No network at all: a new network namespace with only loopback (`network = "none"`). */
  | { kind: "none" }
  /** The host's network, unrestricted (`network = "allow"` without `network_allow`). */
  | { kind: "host" }
  /**
   * Only the listed hosts, through agentry's proxy (`network = "allow"` with `network_allow`);
   * `allowPrivate` is `network_allow_private`, what the SSRF guard lets through.
   */
  | { kind: "proxy"; allow: string[]; allowPrivate: string[] };

/** A file's identity, to notice a path that now names another file (moved, replaced). */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/**
 * A sandbox resolved once, when its tool or server is created (before anything ran inside it):
 * every path absolute, writable roots pinned to their real location, the identity of each denied
 * path that existed then. `verifyMounts` checks these again before each launch.
 */
export interface SandboxPolicy {
  mode: "read-only" | "workspace-write";
  /** Where the command runs. */
  cwd: string;
  /** Real paths of the writable roots that existed at creation, none inside another. */
  writable: string[];
  /**
   * Real paths of the working directory and every `writable` entry, nested ones included: the
   * `.git` at the top of each stays read-only, also when it lies inside another writable root.
   */
  workspaces: string[];
  /** Every denied path as configured (defaults, `deny_read`, agentry's own files), absolute. */
  denyRead: string[];
  /** Real path and identity of each denied path that existed at creation. */
  pinnedDeny: Map<string, { real: string; id: FileIdentity }>;
  network: SandboxNetwork;
}

/** The sandbox of a tool or server, or undefined when `sandbox` is absent or `off`. */
export function sandboxPolicy(
  config: SandboxConfig,
  cwd: string,
  host: SandboxHost,
): SandboxPolicy | undefined {
  const mode = config.sandbox ?? "off";
  if (mode === "off") return undefined;
  const absolute = (path: string) => resolve(cwd, path);
  const candidates = mode === "workspace-write" ? [cwd, ...(config.writable ?? []).map(absolute)] : [];
  const denyRead = unique([
    ...host.homes.flatMap(defaultDenyRead),
    ...host.agentryPaths.map(absolute),
    ...(config.deny_read ?? []).map(absolute),
  ]);
  const workspaces = unique(candidates.map((path) => locate(path)?.real).filter((p) => p !== undefined));
  const pinnedDeny = new Map<string, { real: string; id: FileIdentity }>();
  for (const path of denyRead) {
    const found = locate(path);
    if (found) pinnedDeny.set(path, found);
  }
  return {
    mode,
    cwd,
    writable: outermost(workspaces),
    workspaces,
    denyRead,
    pinnedDeny,
    network: networkOf(config),
  };
}

function networkOf(config: SandboxConfig): SandboxNetwork {
  if (config.network !== "allow") return { kind: "none" };
  const allow = config.network_allow ?? [];
  if (allow.length === 0) return { kind: "host" };
  return { kind: "proxy", allow: [...allow], allowPrivate: [...(config.network_allow_private ?? [])] };
}

/** The real path and identity of an existing path, following symlinks; undefined when missing. */
export function locate(path: string): { real: string; id: FileIdentity } | undefined {
  try {
    const real = realpathSync(path);
    const stat = statSync(real);
    return { real, id: { dev: stat.dev, ino: stat.ino } };
  } catch {
    return undefined;
  }
}

/** Whether `path` is `root` or lies below it (both absolute and normalised). */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The paths not inside another one of the list (a nested root is writable through its parent). */
function outermost(paths: string[]): string[] {
  const sorted = unique(paths).sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const path of sorted) if (!kept.some((root) => isWithin(path, root))) kept.push(path);
  return kept;
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

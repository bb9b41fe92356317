import type { parseAllowEntry } from "../sandbox/network/allow-list.ts";
import type { canonicalHost } from "../sandbox/network/host-name.ts";
import type { parseCidr } from "../tools/http/ip-address.ts";
import type { Report, SemanticInput } from "./issue-report.ts";
import type { KeyPath } from "./key-path.ts";
import type { SandboxConfig } from "./schema.ts";

const SANDBOX_ONLY_KEYS = [
  "writable",
  "deny_read",
  "network",
  "network_allow",
  "network_allow_private",
] as const;

/**
 * Checks the sandbox keys of shell tools and stdio MCP servers, refusing every combination that
 * reads like a protection but is none: sandbox keys on a tool or server without a sandbox,
 * `writable` in a `read-only` sandbox, `network_allow` without `network = "allow"`,
 * `network_allow_private` without a `network_allow` list, `deny_read` of `/` or with a glob (read
 * as a literal path, it would hide nothing), and a sandbox on an HTTP MCP server (nothing runs
 * locally to sandbox), writable roots that overlap /proc, /sys, /dev or /run; and every
 * `network_allow` and `network_allow_private` entry. The host and address parsers (and the SSRF
 * guard's address tables) load only when such an entry exists.
 */
export async function checkSandbox(input: SemanticInput): Promise<void> {
  const { config, report } = input;
  const entries: SandboxConfig[] = [
    ...Object.values(config.tools ?? {}).filter((tool) => tool.kind === "shell"),
    ...Object.values(config.mcp ?? {}),
  ];
  const parsers = entries.some((entry) => entry.network_allow?.length || entry.network_allow_private?.length)
    ? await networkParsers()
    : undefined;
  const writing: [KeyPath, SandboxConfig & { cwd?: string }][] = [];
  for (const [name, tool] of Object.entries(config.tools ?? {})) {
    if (tool.kind !== "shell") continue;
    checkOne(["tools", name], tool, report, parsers);
    if (tool.sandbox === "workspace-write") writing.push([["tools", name], tool]);
  }
  for (const [name, server] of Object.entries(config.mcp ?? {})) {
    if (server.url !== undefined && server.command === undefined) {
      for (const key of ["sandbox", ...SANDBOX_ONLY_KEYS] as const) {
        if (server[key] !== undefined) {
          report(
            ["mcp", name, key],
            { message: `${key} applies only to stdio servers (command): an HTTP server does not run here` },
            "key",
          );
        }
      }
      continue;
    }
    checkOne(["mcp", name], server, report, parsers);
    if (server.sandbox === "workspace-write") writing.push([["mcp", name], server]);
  }
  if (writing.length > 0) await checkWritableRoots(writing, report);
}

/**
 * Refuses writable roots (`writable`, and the `cwd` of a `workspace-write` sandbox; absolute here)
 * that overlap /proc, /sys, /dev or /run: the sandbox would show the host's, writable
 * (`overlappedSystemDir`). Loaded only for a config with such a sandbox; symlinks are judged
 * again, on real paths, before each launch.
 */
async function checkWritableRoots(
  writing: readonly [KeyPath, SandboxConfig & { cwd?: string }][],
  report: Report,
): Promise<void> {
  const { overlappedSystemDir, SYSTEM_DIRS } = await import("../sandbox/system-dirs.ts");
  for (const [path, entry] of writing) {
    const roots: [KeyPath, string][] = (entry.writable ?? []).map((value, i) => [
      [...path, "writable", i],
      value,
    ]);
    if (entry.cwd !== undefined) roots.push([[...path, "cwd"], entry.cwd]);
    for (const [key, value] of roots) {
      const system = value.includes("${") ? undefined : overlappedSystemDir(value, SYSTEM_DIRS);
      if (system === undefined) continue;
      report(key, {
        message: `a writable path cannot overlap ${system}: the sandbox would show the host's ${system}, writable`,
        expected: `a directory outside ${SYSTEM_DIRS.join(", ")}`,
        found: JSON.stringify(value),
      });
    }
  }
}

/** What `network_allow` and `network_allow_private` entries are parsed with. */
interface NetworkParsers {
  parseAllowEntry: typeof parseAllowEntry;
  canonicalHost: typeof canonicalHost;
  parseCidr: typeof parseCidr;
}

async function networkParsers(): Promise<NetworkParsers> {
  const [allowList, hostName, ipAddress] = await Promise.all([
    import("../sandbox/network/allow-list.ts"),
    import("../sandbox/network/host-name.ts"),
    import("../tools/http/ip-address.ts"),
  ]);
  return {
    parseAllowEntry: allowList.parseAllowEntry,
    canonicalHost: hostName.canonicalHost,
    parseCidr: ipAddress.parseCidr,
  };
}

function checkOne(path: KeyPath, entry: SandboxConfig, report: Report, parsers?: NetworkParsers): void {
  const mode = entry.sandbox ?? "off";
  if (mode === "off") {
    for (const key of SANDBOX_ONLY_KEYS) {
      if (entry[key] === undefined) continue;
      report(
        [...path, key],
        {
          message: `${key} has no effect without a sandbox`,
          expected: 'sandbox = "read-only" or "workspace-write" next to it',
          found: entry.sandbox === undefined ? "no sandbox key (default off)" : 'sandbox = "off"',
        },
        "key",
      );
    }
    return;
  }
  if (mode === "read-only" && entry.writable !== undefined) {
    report(
      [...path, "writable"],
      {
        message: "a read-only sandbox has no writable paths",
        expected: 'sandbox = "workspace-write" to make the working directory and these paths writable',
        found: 'sandbox = "read-only"',
      },
      "key",
    );
  }
  if (entry.network_allow !== undefined && entry.network !== "allow") {
    report(
      [...path, "network_allow"],
      {
        message: 'network_allow has no effect unless network = "allow"',
        expected: 'network = "allow" next to it',
        found:
          entry.network === undefined ? 'no network key (default "none")' : `network = "${entry.network}"`,
      },
      "key",
    );
  }
  checkNetworkLists(path, entry, report, parsers);
  entry.deny_read?.forEach((value, i) => {
    if (value.replace(/\/+$/, "") === "") {
      report([...path, "deny_read", i], {
        message: "deny_read cannot hide the whole file system",
        expected: "a file or directory below /",
        found: JSON.stringify(value),
      });
    } else if (/[*?]/.test(value)) {
      report([...path, "deny_read", i], {
        message: "deny_read takes paths, not globs: this entry would hide nothing",
        expected: "a file, or the directory that holds the files to hide",
        found: JSON.stringify(value),
      });
    }
  });
}

/** `parsers` are loaded whenever some list has an entry (`checkSandbox`); without entries nothing is parsed. */
function checkNetworkLists(
  path: KeyPath,
  entry: SandboxConfig,
  report: Report,
  parsers?: NetworkParsers,
): void {
  entry.network_allow?.forEach((value, i) => {
    const parsed = (parsers as NetworkParsers).parseAllowEntry(value);
    if (!parsed.ok) {
      report([...path, "network_allow", i], {
        message: parsed.error,
        expected:
          'a host ("api.github.com"), a wildcard ("*.example.com") or an IP, each with an optional :port',
        found: JSON.stringify(value),
      });
    }
  });
  if (entry.network_allow_private !== undefined && !entry.network_allow?.length) {
    report(
      [...path, "network_allow_private"],
      {
        message: "network_allow_private has no effect without a network_allow list",
        expected: 'network = "allow" and network_allow = [...] next to it',
        found: entry.network_allow === undefined ? "no network_allow key" : "network_allow = []",
      },
      "key",
    );
  }
  entry.network_allow_private?.forEach((value, i) => {
    const { parseCidr, canonicalHost } = parsers as NetworkParsers;
    if (value.includes("/") ? parseCidr(value) : canonicalHost(value)) return;
    report([...path, "network_allow_private", i], {
      message: `${JSON.stringify(value)} is not a host, an IP address or a CIDR block`,
      expected: '"localhost", "10.0.0.5" or "10.0.0.0/8"',
      found: JSON.stringify(value),
    });
  });
}

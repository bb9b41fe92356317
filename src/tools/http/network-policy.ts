import { blockedReason, type Cidr, cidrContains, formatIp, parseCidr, parseIp } from "./ip-address.ts";

/**
 * Which hosts and addresses an http tool may reach: `allow_hosts` (exact names or `*.example.com`,
 * each with an optional `:port`; without one only the scheme's default port)
 * and the SSRF guard, which refuses private, loopback, link-local, CGNAT, unique-local and cloud
 * metadata addresses unless `allow_private` lists the host, the address or a CIDR containing it.
 */
export interface NetworkPolicy {
  /** Refusal reason for a URL's host and port before any connection, or undefined. */
  checkUrl(url: URL): string | undefined;
  /** Refusal reason for an address the host resolved to (checked at connect time), or undefined. */
  checkAddress(hostname: string, address: string): string | undefined;
}

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog", "metadata"]);

/** One `allow_hosts` entry: a host (or `*.suffix`) and the port it allows, if it names one. */
interface HostRule {
  host: string;
  port: number | undefined;
}

/** Splits `host`, `host:port`, `[v6]` or `[v6]:port`; the host is lower-cased without brackets. */
function parseHostRule(entry: string): HostRule {
  const text = entry.toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: portOf(bracketed[2]) };
  const colon = text.lastIndexOf(":");
  if (colon > 0 && text.indexOf(":") === colon && /^\d{1,5}$/.test(text.slice(colon + 1))) {
    return { host: text.slice(0, colon), port: portOf(text.slice(colon + 1)) };
  }
  return { host: text, port: undefined };
}

function portOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

/** The port a URL connects to: its explicit port, else the scheme's default. */
function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * Whether a rule allows host and port. A rule with a port allows only that port; a rule without
 * one allows only the scheme's default port (80 for http, 443 for https), so listing a host
 * never opens its other services.
 */
function ruleMatches(rule: HostRule, hostname: string, port: number, defaultPort: number): boolean {
  const hostOk = rule.host.startsWith("*.")
    ? hostname.endsWith(rule.host.slice(1)) && hostname.length > rule.host.length - 1
    : rule.host === hostname;
  return hostOk && port === (rule.port ?? defaultPort);
}

/**
 * Compiles the policy from config; invalid entries are ignored by matching nothing. `privateKey`
 * names the config key refusals point to (`allow_private` for the http tool,
 * `network_allow_private` for the sandbox's network proxy, which reuses the SSRF guard).
 */
export function createNetworkPolicy(
  allowHosts: readonly string[] | undefined,
  allowPrivate: readonly string[] = [],
  privateKey = "allow_private",
) {
  const privateNames = new Set<string>();
  const privateCidrs: Cidr[] = [];
  for (const entry of allowPrivate) {
    const cidr = parseCidr(entry);
    if (cidr) privateCidrs.push(cidr);
    else privateNames.add(entry.toLowerCase().replace(/\.$/, ""));
  }
  const normalise = (hostname: string) =>
    hostname
      .toLowerCase()
      .replace(/^\[|\]$/g, "")
      .replace(/\.$/, "");

  const checkAddress = (hostname: string, address: string): string | undefined => {
    const ip = parseIp(address);
    if (!ip) return `could not interpret the address ${address}`;
    const reason = blockedReason(ip);
    if (!reason) return undefined;
    if (privateNames.has(normalise(hostname))) return undefined;
    if (privateCidrs.some((cidr) => cidrContains(cidr, ip))) return undefined;
    const via =
      normalise(hostname) === formatIp(ip) || parseIp(hostname) ? "" : ` (${hostname} resolves to it)`;
    return `refused: ${formatIp(ip)} is a ${reason} address${via}; list it in ${privateKey} to permit it`;
  };

  const rules = (allowHosts ?? []).map(parseHostRule);
  const policy: NetworkPolicy = {
    checkUrl(url) {
      const hostname = normalise(url.hostname);
      const port = effectivePort(url);
      const defaultPort = url.protocol === "https:" ? 443 : 80;
      if (rules.length > 0 && !rules.some((rule) => ruleMatches(rule, hostname, port, defaultPort))) {
        const listed = (allowHosts ?? []).join(", ");
        if (rules.some((rule) => ruleMatches({ ...rule, port }, hostname, port, defaultPort))) {
          return `refused: port ${port} of ${hostname} is not in allow_hosts (${listed}); an entry without a port allows only port ${defaultPort}`;
        }
        return `refused: host ${hostname} is not in allow_hosts (${listed})`;
      }
      if (METADATA_HOSTS.has(hostname) && !privateNames.has(hostname)) {
        return `refused: ${hostname} is a cloud metadata endpoint; list it in ${privateKey} to permit it`;
      }
      return parseIp(hostname) ? checkAddress(hostname, hostname) : undefined;
    },
    checkAddress,
  };
  return policy;
}

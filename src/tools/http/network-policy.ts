import { blockedReason, type Cidr, cidrContains, formatIp, parseCidr, parseIp } from "./ip-address.ts";

/**
 * Which hosts and addresses an http tool may reach: `allow_hosts` (exact names or `*.example.com`)
 * and the SSRF guard, which refuses private, loopback, link-local, CGNAT, unique-local and cloud
 * metadata addresses unless `allow_private` lists the host, the address or a CIDR containing it.
 */
export interface NetworkPolicy {
  /** Refusal reason for a URL host before any connection, or undefined. */
  checkHost(hostname: string): string | undefined;
  /** Refusal reason for an address the host resolved to (checked at connect time), or undefined. */
  checkAddress(hostname: string, address: string): string | undefined;
}

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog", "metadata"]);

function hostMatches(pattern: string, hostname: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith("*.")) return hostname.endsWith(p.slice(1)) && hostname.length > p.length - 1;
  return p === hostname;
}

/** Compiles the policy from config; invalid entries are ignored by matching nothing. */
export function createNetworkPolicy(
  allowHosts: readonly string[] | undefined,
  allowPrivate: readonly string[] = [],
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
    return `refused: ${formatIp(ip)} is a ${reason} address${via}; list it in allow_private to permit it`;
  };

  const policy: NetworkPolicy = {
    checkHost(rawHostname) {
      const hostname = normalise(rawHostname);
      if (
        allowHosts &&
        allowHosts.length > 0 &&
        !allowHosts.some((pattern) => hostMatches(pattern, hostname))
      ) {
        return `refused: host ${hostname} is not in allow_hosts (${allowHosts.join(", ")})`;
      }
      if (METADATA_HOSTS.has(hostname) && !privateNames.has(hostname)) {
        return `refused: ${hostname} is a cloud metadata endpoint; list it in allow_private to permit it`;
      }
      return parseIp(hostname) ? checkAddress(hostname, hostname) : undefined;
    },
    checkAddress,
  };
  return policy;
}

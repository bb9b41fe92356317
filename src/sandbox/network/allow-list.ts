import { type CanonicalHost, canonicalHost } from "./host-name.ts";

/**
 * `network_allow`: which destinations a sandboxed command may reach through the proxy.
 *
 * - `example.com` allows exactly that host; `*.example.com` allows every name that ends in
 *   `.example.com` (`a.example.com`, `a.b.example.com`) but NOT `example.com` itself: list both
 *   when both are wanted. A `*` anywhere else, a bare `*` or `*.` alone is invalid.
 * - Matching is on the canonical host (see `canonicalHost`): case-insensitive, one trailing dot
 *   ignored, Unicode names compared as punycode, IPv4 shorthands read as the address they mean.
 * - An IP literal (`10.0.0.5`, `[2001:db8::1]`, `2001:db8::1`) allows that address when the client
 *   asks for it by address; a name entry never matches an address and a wildcard never matches one.
 * - Ports: an entry without a port allows 80 and 443 (plain HTTP and TLS); `host:8443` (or
 *   `[v6]:8443`) allows only that port. There is no "any port" form: each extra service is listed.
 */
export interface AllowRule {
  /** Canonical host, or the suffix after `*.` for a wildcard. */
  host: string;
  wildcard: boolean;
  ip: boolean;
  /** The only port allowed; undefined means 80 and 443. */
  port: number | undefined;
  /** The entry as written in the config, for messages. */
  entry: string;
}

/** An entry parsed, or why it is invalid (reported as a configuration error). */
export type AllowRuleParse = { ok: true; rule: AllowRule } | { ok: false; error: string };

/** Ports an entry without a port allows. */
export const DEFAULT_PORTS: readonly number[] = [80, 443];

function splitPort(entry: string): { host: string; port: string | undefined } {
  const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] };
  const colon = entry.lastIndexOf(":");
  if (colon >= 0 && entry.indexOf(":") === colon) {
    return { host: entry.slice(0, colon), port: entry.slice(colon + 1) };
  }
  return { host: entry, port: undefined };
}

/** Parses one `network_allow` entry; see `AllowRule` for the accepted forms. */
export function parseAllowEntry(entry: string): AllowRuleParse {
  const invalid = (why: string): AllowRuleParse => ({
    ok: false,
    error: `${JSON.stringify(entry)} is not a valid network_allow entry: ${why}`,
  });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return invalid("give a host name, not a URL");
  const { host: hostText, port: portText } = splitPort(entry.trim());
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return invalid("the port must be a number from 1 to 65535");
    }
    port = Number(portText);
  }
  const wildcard = hostText.startsWith("*.");
  const rest = wildcard ? hostText.slice(2) : hostText;
  if (rest.includes("*")) return invalid("`*` is only allowed as a whole first label, as in *.example.com");
  const host: CanonicalHost | undefined = canonicalHost(rest);
  if (!host) return invalid("not a host name or IP address");
  if (wildcard && host.kind === "ip") return invalid("a wildcard applies to names, not to IP addresses");
  return { ok: true, rule: { host: host.host, wildcard, ip: host.kind === "ip", port, entry } };
}

/** Whether one rule allows a canonical host and port. */
function ruleAllows(rule: AllowRule, host: CanonicalHost, port: number): boolean {
  if (rule.ip !== (host.kind === "ip")) return false;
  const hostOk = rule.wildcard ? host.host.endsWith(`.${rule.host}`) : host.host === rule.host;
  return hostOk && (rule.port === undefined ? DEFAULT_PORTS.includes(port) : rule.port === port);
}

/** The compiled allow list: a yes, or the refusal the proxy sends and reports. */
export interface AllowList {
  check(host: CanonicalHost, port: number): string | undefined;
}

/**
 * Compiles `network_allow`. Invalid entries throw: the config check reports them first, so one
 * reaching here is a bug, and an allow list that silently dropped an entry would be worse.
 */
export function compileAllowList(entries: readonly string[]): AllowList {
  const rules = entries.map((entry) => {
    const parsed = parseAllowEntry(entry);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.rule;
  });
  const listed = entries.join(", ");
  return {
    check(host, port) {
      if (rules.some((rule) => ruleAllows(rule, host, port))) return undefined;
      if (rules.some((rule) => ruleAllows({ ...rule, port }, host, port))) {
        return `port ${port} of ${host.host} is not in network_allow (${listed}); an entry without a port allows only ports 80 and 443`;
      }
      return `${host.host} is not in network_allow (${listed})`;
    },
  };
}

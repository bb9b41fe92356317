import { formatIp, parseIp } from "../../tools/http/ip-address.ts";

/** A destination host in one canonical spelling: an IP literal or a lower-case ASCII domain name. */
export type CanonicalHost = { kind: "ip"; host: string } | { kind: "name"; host: string };

/**
 * Canonical form of a host as a client or an `network_allow` entry writes it, so that one host has
 * one spelling before it is compared: the WHATWG URL host parser lower-cases, converts Unicode
 * (IDN) labels to punycode and reads the IPv4 shorthands a resolver would (`127.1`, `0x7f.0.0.1`,
 * `2130706433` all become `127.0.0.1`); one trailing dot is dropped; IPv6 literals (with or without
 * brackets) are printed in full by `formatIp`. Undefined for anything that is not a bare host
 * (a port, a path, user info, percent-escapes, an empty label).
 */
export function canonicalHost(text: string): CanonicalHost | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const ip = parseIp(bare);
  if (ip && !bare.includes("%")) return { kind: "ip", host: formatIp(ip) };
  if (bare === "" || /[\s/\\?#@:%[\]]/.test(bare)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${bare}/`).hostname;
  } catch {
    return undefined;
  }
  const parsed = parseIp(hostname.replace(/^\[|\]$/g, ""));
  if (parsed) return { kind: "ip", host: formatIp(parsed) };
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (name === "" || name.split(".").some((label) => label === "")) return undefined;
  return { kind: "name", host: name };
}

/** How a canonical host is written in a URL or a CONNECT line: IPv6 literals get brackets. */
export function hostForUrl(host: CanonicalHost): string {
  return host.kind === "ip" && host.host.includes(":") ? `[${host.host}]` : host.host;
}

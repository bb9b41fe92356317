import { isIPv4, isIPv6 } from "node:net";

/**
 * IP address arithmetic for the SSRF guard: parsing to a fixed-width form, CIDR containment and
 * the classification of addresses no tool should reach unless the operator lists them.
 */

/** An address as 4 (IPv4) or 8 (IPv6) numbers of 8 or 16 bits. */
export interface ParsedIp {
  version: 4 | 6;
  parts: number[];
}

/** Parses an IPv4 or IPv6 literal (brackets and zone ids allowed); undefined for anything else. */
export function parseIp(text: string): ParsedIp | undefined {
  const bare = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(bare)) return { version: 4, parts: bare.split(".").map(Number) };
  if (!isIPv6(bare)) return undefined;
  let head = bare;
  let v4Tail: number[] = [];
  const lastColon = bare.lastIndexOf(":");
  if (bare.includes(".")) {
    v4Tail = bare
      .slice(lastColon + 1)
      .split(".")
      .map(Number);
    head = `${bare.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::");
  const toGroups = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const leftGroups = toGroups(left);
  const rightGroups = right === undefined ? [] : toGroups(right);
  const fill = new Array<number>(8 - leftGroups.length - rightGroups.length).fill(0);
  const parts = [...leftGroups, ...fill, ...rightGroups];
  if (v4Tail.length === 4) {
    parts[6] = ((v4Tail[0] as number) << 8) | (v4Tail[1] as number);
    parts[7] = ((v4Tail[2] as number) << 8) | (v4Tail[3] as number);
  }
  return { version: 6, parts };
}

function bitsOf(ip: ParsedIp): number[] {
  const width = ip.version === 4 ? 8 : 16;
  return ip.parts.flatMap((part) => Array.from({ length: width }, (_, i) => (part >> (width - 1 - i)) & 1));
}

/** A parsed `address/prefix` block. */
export interface Cidr {
  base: ParsedIp;
  prefix: number;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a bare address (a full-length prefix). */
export function parseCidr(text: string): Cidr | undefined {
  const [address = "", prefixText] = text.split("/");
  const base = parseIp(address);
  if (!base) return undefined;
  const max = base.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { base, prefix };
}

/** Whether `ip` lies inside `cidr` (same IP version only). */
export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.base.version !== ip.version) return false;
  const a = bitsOf(cidr.base);
  const b = bitsOf(ip);
  for (let i = 0; i < cidr.prefix; i++) if (a[i] !== b[i]) return false;
  return true;
}

const BLOCKED: Array<[string, string]> = [
  ["169.254.169.254/32", "cloud metadata"],
  ["fd00:ec2::254/128", "cloud metadata"],
  ["0.0.0.0/8", "unspecified (0.0.0.0/8)"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade NAT"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["::/128", "unspecified (::)"],
  ["::1/128", "loopback"],
  ["fc00::/7", "unique-local"],
  ["fe80::/10", "link-local"],
  ["ff00::/8", "multicast"],
];
const BLOCKED_CIDRS = BLOCKED.map(([cidr, reason]) => ({ cidr: parseCidr(cidr) as Cidr, reason }));
const EMBEDDED_V4 = ["::ffff:0:0/96", "64:ff9b::/96", "::/96"].map((text) => parseCidr(text) as Cidr);

/**
 * Why an address must not be reached by default (loopback, private, link-local, CGNAT,
 * unique-local, metadata, …), or undefined for a public address. IPv4-mapped, NAT64 and
 * IPv4-compatible IPv6 addresses are judged by the IPv4 address they carry.
 */
export function blockedReason(ip: ParsedIp): string | undefined {
  if (ip.version === 6 && !(ip.parts.every((p) => p === 0) || isLoopbackV6(ip))) {
    if (EMBEDDED_V4.some((cidr) => cidrContains(cidr, ip))) {
      const hi = ip.parts[6] as number;
      const lo = ip.parts[7] as number;
      const v4: ParsedIp = { version: 4, parts: [hi >> 8, hi & 255, lo >> 8, lo & 255] };
      const inner = blockedReason(v4);
      return inner ? `${inner} (IPv4 inside IPv6)` : undefined;
    }
  }
  return BLOCKED_CIDRS.find((entry) => cidrContains(entry.cidr, ip))?.reason;
}

function isLoopbackV6(ip: ParsedIp): boolean {
  return ip.parts.slice(0, 7).every((p) => p === 0) && ip.parts[7] === 1;
}

/** Canonical text of an address, for messages and exact comparisons. */
export function formatIp(ip: ParsedIp): string {
  return ip.version === 4 ? ip.parts.join(".") : ip.parts.map((p) => p.toString(16)).join(":");
}

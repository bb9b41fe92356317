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

/**
 * Special-purpose blocks (IANA IPv4 and IPv6 Special-Purpose Address Registries, RFC 6890 and
 * successors) plus multicast and cloud metadata. Blocks the registries mark globally reachable
 * but which no tool has business reaching (6to4 relay anycast, 2001::/23 as a whole) are refused
 * too: fail closed, and let `allow_private` open what an operator really needs.
 */
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
  ["192.0.2.0/24", "documentation (TEST-NET-1)"],
  ["192.88.99.0/24", "6to4 relay anycast"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation (TEST-NET-2)"],
  ["203.0.113.0/24", "documentation (TEST-NET-3)"],
  ["224.0.0.0/4", "multicast"],
  ["255.255.255.255/32", "limited broadcast"],
  ["240.0.0.0/4", "reserved"],
  ["::/128", "unspecified (::)"],
  ["::1/128", "loopback"],
  ["::/96", "IPv4-compatible (deprecated)"],
  ["64:ff9b:1::/48", "local-use NAT64"],
  ["::/8", "reserved"],
  ["100::/64", "discard-only"],
  ["2001:db8::/32", "documentation"],
  ["2001::/23", "IETF protocol assignments"],
  ["2620:4f:8000::/48", "direct delegation AS112"],
  ["3fff::/20", "documentation"],
  ["5f00::/16", "segment routing (SRv6) SIDs"],
  ["fc00::/7", "unique-local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local (deprecated)"],
  ["ff00::/8", "multicast"],
];
const BLOCKED_CIDRS = BLOCKED.map(([cidr, reason]) => ({ cidr: parseCidr(cidr) as Cidr, reason }));

/** IPv6 blocks that carry an IPv4 address, with the bit offset where it starts. */
const EMBEDDED_V4: Array<{ cidr: Cidr; at: number; kind: string }> = [
  { text: "::ffff:0:0/96", at: 96, kind: "IPv4-mapped" },
  { text: "::ffff:0:0:0/96", at: 96, kind: "IPv4-translated" },
  { text: "64:ff9b::/96", at: 96, kind: "NAT64" },
  { text: "2002::/16", at: 16, kind: "6to4" },
].map(({ text, at, kind }) => ({ cidr: parseCidr(text) as Cidr, at, kind }));

function embeddedV4(ip: ParsedIp, at: number): ParsedIp {
  const first = at / 16;
  const hi = ip.parts[first] as number;
  const lo = ip.parts[first + 1] as number;
  return { version: 4, parts: [hi >> 8, hi & 255, lo >> 8, lo & 255] };
}

/**
 * Why an address must not be reached by default (loopback, private, link-local, CGNAT,
 * documentation, benchmarking, reserved, unique-local, metadata, …), or undefined for a public
 * address. IPv4-mapped, IPv4-translated, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are
 * judged by the IPv4 address they carry.
 */
export function blockedReason(ip: ParsedIp): string | undefined {
  if (ip.version === 6) {
    const carrier = EMBEDDED_V4.find((entry) => cidrContains(entry.cidr, ip));
    if (carrier) {
      const inner = blockedReason(embeddedV4(ip, carrier.at));
      return inner ? `${inner} (IPv4 inside ${carrier.kind} IPv6)` : undefined;
    }
  }
  return BLOCKED_CIDRS.find((entry) => cidrContains(entry.cidr, ip))?.reason;
}

/** Canonical text of an address, for messages and exact comparisons. */
export function formatIp(ip: ParsedIp): string {
  return ip.version === 4 ? ip.parts.join(".") : ip.parts.map((p) => p.toString(16)).join(":");
}

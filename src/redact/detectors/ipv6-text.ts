const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const IPV4_OCTET = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/;
const ZONE = /^[0-9A-Za-z.:-]+$/;

/**
 * Whether `text` is an IPv6 address exactly as node:net's `isIPv6` decides (test/redact checks
 * both agree on a large generated set): eight groups of 1–4 hex digits (either case) separated by
 * colons, the last two of which may be a dotted IPv4 address without leading zeros; one `::`
 * stands for at least one group; a zone id (`%` then letters, digits, `-`, `.`, `:`) may follow.
 * In-repo so the redactor does not load node:net (and Bun's stream machinery) at start-up.
 */
export function isIpv6Text(text: string): boolean {
  const percent = text.indexOf("%");
  if (percent >= 0 && !ZONE.test(text.slice(percent + 1))) return false;
  const halves = (percent >= 0 ? text.slice(0, percent) : text).split("::");
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const head = groupCount(halves[0] ?? "", !compressed);
  const tail = compressed ? groupCount(halves[1] ?? "", true) : 0;
  if (head < 0 || tail < 0) return false;
  return compressed ? head + tail <= 7 : head === 8;
}

/**
 * How many 16-bit groups a colon-separated run of groups holds (an IPv4 address at the end,
 * where `last` allows one, counts two); -1 when it is not such a run. The empty run holds none.
 */
function groupCount(run: string, last: boolean): number {
  if (run === "") return 0;
  const parts = run.split(":");
  let count = 0;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as string;
    if (HEX_GROUP.test(part)) count += 1;
    else if (last && index === parts.length - 1 && isIpv4Text(part)) count += 2;
    else return -1;
  }
  return count;
}

function isIpv4Text(text: string): boolean {
  const octets = text.split(".");
  return octets.length === 4 && octets.every((octet) => IPV4_OCTET.test(octet));
}

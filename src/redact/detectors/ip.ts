import { isIpv6Text } from "./ipv6-text.ts";
import { collect, type Detection } from "./types.ts";

/** 0–255, also zero-padded (`192.168.001.020`, as some tools print addresses). */
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d|0\\d\\d?)";
/**
 * A dotted IPv4 address, not inside a longer dotted run of numbers (an OID `1.3.6.1.4.1`, a version
 * `1.2.3.4.5.6`); a single `.digits` after it is a port as tcpdump and BSD/macOS netstat print
 * one (`192.168.1.20.443`), so the address before it is found.
 */
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d+\\.\\d)`, "g");
/**
 * An IPv6 candidate: at least two colons, then up to eight colon-ended groups (`::1:2:3:4:5:6:7`
 * has eight) and a last piece that is a dotted IPv4 address (tried first, so `::ffff:10.0.0.1`
 * is not cut after `10`), a hex group, or the second colon of a trailing `::`. It never ends on a
 * single colon, so an address followed by one (`ping: 2001:db8::1: unknown host`) is still found.
 * It may not be followed by a word character, by what could be another group (`:` then a word
 * character or a colon) or by the rest of a dotted IPv4 address (`.d.d`): a single `.digits`
 * after it is a port as tcpdump and BSD netstat print one (`2001:db8::1.443`), so the address
 * before it is found.
 */
const IPV6 =
  /(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)(?:[0-9A-Fa-f]{0,4}:){1,8}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4}|:)(?!\w|:[\w:]|\.\d{1,3}\.\d)/g;
const NOT_PERSONAL = new Set(["0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1"]);

/** Whether a dotted IPv4 address (perhaps zero-padded) is one of NOT_PERSONAL. */
function personalIpv4(value: string): boolean {
  return !NOT_PERSONAL.has(value.includes(".0") || value.startsWith("0") ? unpadded(value) : value);
}

function unpadded(value: string): string {
  return value
    .split(".")
    .map((octet) => String(Number(octet)))
    .join(".");
}

/**
 * IPv4 and IPv6 addresses. Loopback and unspecified addresses are left alone (they identify
 * nobody, and tools need them); IPv6 candidates are confirmed with `isIpv6Text` (exactly
 * node:net's `isIPv6`), so times (`12:30:45`) and MAC addresses are not matched.
 */
export function detectIps(text: string, out: Detection[]): void {
  if (text.includes(".")) collect(IPV4, text, out, "ip", personalIpv4);
  if (text.includes(":")) {
    collect(IPV6, text, out, "ip", (value) => isIpv6Text(value) && !NOT_PERSONAL.has(value.toLowerCase()));
  }
}

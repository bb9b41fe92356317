import { isIpv6Text } from "./ipv6-text.ts";
import { collect, type Detection } from "./types.ts";

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, "g");
/**
 * An IPv6 candidate. The dotted IPv4 tail is tried before a hex group and no match may stop before
 * `.digit`: otherwise `::ffff:10.0.0.1` matched as `::ffff:10` and the rest of the IPv4 address
 * stayed in the text beside the placeholder.
 */
const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)/g;
const NOT_PERSONAL = new Set(["0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1"]);

/**
 * IPv4 and IPv6 addresses. Loopback and unspecified addresses are left alone (they identify
 * nobody, and tools need them); IPv6 candidates are confirmed with `isIpv6Text` (exactly
 * node:net's `isIPv6`), so times (`12:30:45`) and MAC addresses are not matched.
 */
export function detectIps(text: string, out: Detection[]): void {
  if (text.includes(".")) collect(IPV4, text, out, "ip", (value) => !NOT_PERSONAL.has(value));
  if (text.includes(":")) {
    collect(IPV6, text, out, "ip", (value) => isIpv6Text(value) && !NOT_PERSONAL.has(value.toLowerCase()));
  }
}

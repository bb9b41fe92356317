import { describe, expect, test } from "bun:test";
import { isIPv6 } from "node:net";
import { createRedactor } from "../../src/redact/index.ts";
import { seededRandom } from "../support/seeded-random.ts";

const PLACEHOLDER = /^\[PII:ip:[0-9a-f]{6,}\]$/;

/** Where IP addresses stand in tool output: plain, before a colon, with a tcpdump/BSD netstat port. */
const CONTEXTS: readonly (readonly [string, string])[] = [
  ["host ", " up"],
  ["ping: ", ": Name or service not known"],
  ["IP ", ".443 > peer.51234: Flags [S]"],
  ["tcp  0  0  ", ".22  *.*  LISTEN"],
  ["curl http://[", "]:8080/"],
  ["(", "),"],
  ["addr=", ";"],
];

/** `text` redacted: exactly `before`, one ip placeholder and `after`, and restored back exactly. */
function expectRedactedWhole(before: string, address: string, after: string): void {
  const redactor = createRedactor();
  const text = `${before}${address}${after}`;
  const shown = redactor.redact(text);
  const middle =
    shown.startsWith(before) && shown.endsWith(after)
      ? shown.slice(before.length, shown.length - after.length)
      : shown;
  expect({ text, middle: PLACEHOLDER.test(middle) ? "placeholder" : middle }).toEqual({
    text,
    middle: "placeholder",
  });
  expect(redactor.restore(shown)).toBe(text);
}

/** A valid IPv6 address: eight groups or fewer with one `::`, perhaps ending in a dotted IPv4 address. */
function randomIpv6(random: () => number): string {
  const int = (n: number) => Math.floor(random() * n);
  const hex = () =>
    int(0x10000)
      .toString(16)
      .slice(0, 1 + int(4));
  const v4 = random() < 0.3;
  const groups = Array.from({ length: v4 ? 6 : 8 }, () => (random() < 0.2 ? hex().toUpperCase() : hex()));
  let head = groups;
  let tail: string[] | undefined;
  if (random() < 0.7) {
    const start = int(groups.length);
    const length = 1 + int(groups.length - start);
    head = groups.slice(0, start);
    tail = groups.slice(start + length);
  }
  const v4Text = v4 ? Array.from({ length: 4 }, () => String(int(256))).join(".") : undefined;
  const last = (parts: string[]) => (v4Text ? [...parts, v4Text] : parts);
  return tail === undefined ? last(head).join(":") : `${head.join(":")}::${last(tail).join(":")}`;
}

describe("IP addresses in tool output are redacted whole", () => {
  test("an IPv6 address before a port dot, before a colon, or with eight colons", () => {
    for (const [before, address, after] of [
      ["IP6 ", "2001:db8::1", ".443 > peer.51234: Flags [S]"],
      ["tcp6 0 0 ", "2001:db8::8a2e:370:7334", ".22 *.* LISTEN"],
      ["IP6 ", "::ffff:10.0.0.1", ".443 > peer"],
      ["ping: ", "2001:db8::1", ": Name or service not known"],
      ["connect to ", "fe80::abcd:1", ": Connection refused"],
      ["ping: ", "::ffff:10.0.0.1", ": unknown host"],
      ["x ", "::1:2:3:4:5:6:7", " y"],
      ["x ", "1:2:3:4:5:6:7::", " y"],
    ] as const) {
      expectRedactedWhole(before, address, after);
    }
  });

  test("an IPv4 address before a port dot, as tcpdump and BSD/macOS netstat print it, but not in a longer dotted run", () => {
    expectRedactedWhole("IP ", "192.168.1.20", ".443 > peer.5555: Flags [S]");
    expectRedactedWhole("tcp4  0  0  ", "10.0.0.5", ".54321  *.*  LISTEN");
    expectRedactedWhole("reached ", "203.0.113.9", ".22.");
    const redactor = createRedactor();
    for (const text of ["oid 1.3.6.1.4.1.2021", "version 1.2.3.4.5.6"])
      expect(redactor.redact(text)).toBe(text);
  });

  test("a zero-padded IPv4 address is redacted whole; padded loopback is left alone like loopback", () => {
    expectRedactedWhole("host ", "192.168.01.20", " up");
    expectRedactedWhole("from ", "10.000.0.05", ":22");
    expectRedactedWhole("IP ", "192.168.001.020", ".443 > peer.5555: Flags [S]");
    const redactor = createRedactor();
    for (const text of ["listen 127.000.000.001:80", "bind 0.0.0.00", "oid 1.3.06.1.4.1.2021"])
      expect(redactor.redact(text)).toBe(text);
  });

  test("generated IPv4 addresses in every context: nothing of them is left beside the placeholder", () => {
    const random = seededRandom(4);
    let checked = 0;
    for (let index = 0; index < 1500; index++) {
      const address = Array.from({ length: 4 }, () => String(Math.floor(random() * 256))).join(".");
      if (address === "0.0.0.0" || address === "127.0.0.1" || address === "255.255.255.255") continue;
      for (const [before, after] of CONTEXTS) {
        expectRedactedWhole(before, address, after);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  test("generated IPv6 addresses in every context: nothing of them is left beside the placeholder", () => {
    const random = seededRandom(1017);
    let checked = 0;
    for (let index = 0; index < 1500; index++) {
      const address = randomIpv6(random);
      expect({ address, valid: isIPv6(address) }).toEqual({ address, valid: true });
      if (address === "::" || address === "::1") continue;
      for (const [before, after] of CONTEXTS) {
        // `addr::` then `:` reads as `:::`, which no address contains: ambiguous, not checked.
        if (address.endsWith(":") && after.startsWith(":")) continue;
        expectRedactedWhole(before, address, after);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});

import { describe, expect, test } from "bun:test";
import { isIPv6 } from "node:net";
import { detectIps } from "../../src/redact/detectors/ip.ts";
import { isIpv6Text } from "../../src/redact/detectors/ipv6-text.ts";
import type { Detection } from "../../src/redact/detectors/types.ts";
import { seededRandom } from "../support/seeded-random.ts";

const EDGE_CASES = [
  "",
  ":",
  "::",
  ":::",
  "::::",
  "::1",
  "1::",
  ":1::",
  "::1:",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7",
  "1:2:3:4:5:6:7::",
  "::2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8::",
  "::1:2:3:4:5:6:7:8",
  "1::2::3",
  "1:::2",
  "ABCD:ef01::",
  "abcd:EF01::1",
  "00000::1",
  "0000::1",
  "g::1",
  "fe80::1%eth0",
  "fe80::1%",
  "fe80::1%eth0%1",
  "fe80::1%a:b.c-d",
  "fe80::1%a b",
  "fe80::1%é",
  "%eth0",
  "::%1",
  "::ffff:1.2.3.4",
  "::ffff:01.2.3.4",
  "::ffff:1.2.3.256",
  "::1.2.3.4",
  "1.2.3.4",
  "1.2.3.4::",
  "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5:6:7:1.2.3.4",
  "1:2:3:4:5::1.2.3.4",
  "1:2:3:4:5:6::1.2.3.4",
  "::1.2.3",
  "::1.2.3.4.5",
  "::1.2.3.4:5",
  "1.2.3.4::1",
  " ::1",
  "::1 ",
  "::1\n",
  "12:30:45",
  "aa:bb:cc:dd:ee:ff",
  "::ffff:255.255.255.255",
  "::0.0.0.0",
  "1::1.2.3.4%x",
  "Ｆ::1",
  "::1%\u0000",
];

/** Pieces that, joined at random, reach the parser's every branch (and many near misses). */
const PIECES = [
  "0",
  "1",
  "a",
  "F",
  "ffff",
  "FfFf",
  "12345",
  "g",
  "01",
  "255",
  "256",
  "1.2.3.4",
  "01.2.3.4",
  "10.0.0.1",
  ".",
  ":",
  ":",
  ":",
  "::",
  "%",
  "eth0",
  "-",
  " ",
  "é",
  "\n",
];

function randomCandidate(random: () => number): string {
  if (random() < 0.5) return structuredCandidate(random);
  let text = "";
  const length = Math.floor(random() * 14);
  for (let index = 0; index < length; index++) text += PIECES[Math.floor(random() * PIECES.length)];
  return text;
}

/** Near-valid addresses: a number of groups, perhaps one `::`, perhaps an IPv4 tail and a zone. */
function structuredCandidate(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const groups = Array.from({ length: Math.floor(random() * 10) }, () =>
    pick(["0", "1", "ab", "abc", "abcd", "ABCD", "12345", "", "x1"]),
  );
  if (random() < 0.6) groups.splice(Math.floor(random() * (groups.length + 1)), 0, "");
  let text = groups.join(":");
  if (random() < 0.3) text += pick([":1.2.3.4", "1.2.3.4", ":255.255.255.255", ":1.2.3.04", ":1.2.3"]);
  if (random() < 0.2) text += pick(["%eth0", "%", "%1", "%a.b", "% x"]);
  if (random() < 0.1) text = pick([":", "::", " "]) + text;
  return text;
}

describe("the IPv6 check of the redactor (in-repo, not node:net)", () => {
  test("agrees with node:net's isIPv6 on hand-picked edge cases", () => {
    const disagreements = EDGE_CASES.filter((text) => isIpv6Text(text) !== isIPv6(text));
    expect(disagreements).toEqual([]);
    expect(EDGE_CASES.filter(isIpv6Text).length).toBeGreaterThan(15);
  });

  test("agrees with node:net's isIPv6 on 200,000 generated candidates", () => {
    const random = seededRandom(13);
    const disagreements: string[] = [];
    let addresses = 0;
    for (let index = 0; index < 200_000; index++) {
      const text = randomCandidate(random);
      const expected = isIPv6(text);
      if (expected) addresses++;
      if (isIpv6Text(text) !== expected) disagreements.push(text);
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator reaches both answers often enough for the agreement to mean something.
    expect(addresses).toBeGreaterThan(5_000);
    expect(addresses).toBeLessThan(190_000);
  });

  test("the IP detector redacts IPv6 addresses in every form it did with node:net, and not times or MACs", () => {
    const text =
      "a 2001:DB8::1 b fe80::abcd:1 c ::ffff:10.0.0.1 d 1:2:3:4:5:6:7:8 e 12:30:45 f aa:bb:cc:dd:ee:ff g ::1";
    const out: Detection[] = [];
    detectIps(text, out);
    // (An embedded IPv4 tail is found on its own too; the redactor keeps the whole IPv6 address.)
    expect(out.map((d) => text.slice(d.start, d.end))).toEqual([
      "10.0.0.1",
      "2001:DB8::1",
      "fe80::abcd:1",
      "::ffff:10.0.0.1",
      "1:2:3:4:5:6:7:8",
    ]);
  });
});

import { describe, expect, test } from "bun:test";
import { detectApiKeys } from "../../src/redact/detectors/api-key.ts";
import { detectCards, luhnValid } from "../../src/redact/detectors/card.ts";
import { detectEmails } from "../../src/redact/detectors/email.ts";
import { detectIbans, ibanValid } from "../../src/redact/detectors/iban.ts";
import { detectIps } from "../../src/redact/detectors/ip.ts";
import { detectJwts } from "../../src/redact/detectors/jwt.ts";
import { detectPhones } from "../../src/redact/detectors/phone.ts";
import { detectPrivateKeys } from "../../src/redact/detectors/private-key.ts";
import { detectSecretAssignments, shannonEntropy } from "../../src/redact/detectors/secret-assignment.ts";
import { detectSsns } from "../../src/redact/detectors/ssn.ts";
import type { Detection, Detector } from "../../src/redact/detectors/types.ts";
import { createRedactor } from "../../src/redact/index.ts";

function found(detector: Detector, text: string): string[] {
  const out: Detection[] = [];
  detector(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

describe("emails", () => {
  test("finds addresses, not handles or versions", () => {
    expect(found(detectEmails, "mail a.b+c@mail.example.co.uk, or x@y.io.")).toEqual([
      "a.b+c@mail.example.co.uk",
      "x@y.io",
    ]);
    expect(found(detectEmails, "@alice git@1.2 user@localhost pkg@1.2.3")).toEqual([]);
  });
});

describe("phones", () => {
  test("international and national formats", () => {
    expect(found(detectPhones, "call +44 20 7946 0958 or +1-202-555-0143.")).toEqual([
      "+44 20 7946 0958",
      "+1-202-555-0143",
    ]);
    const national = found(
      detectPhones,
      "US 202-555-0143, FR 06 12 34 56 78, DE 030 1234 5678, UK (020) 7946 0958",
    );
    expect(national.sort()).toEqual(["(020) 7946 0958", "030 1234 5678", "06 12 34 56 78", "202-555-0143"]);
  });
  test("not plain numbers, dates, versions or IPs", () => {
    expect(
      found(
        detectPhones,
        "id 20255501430 on 2024-01-15 and 15.01.2024, v1.22.333, 10.0.12.134, port 8080, pid 123456",
      ),
    ).toEqual([]);
  });
});

describe("cards", () => {
  test("Luhn-valid numbers with spaces or dashes", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(
      found(detectCards, "visa 4111 1111 1111 1111, amex 3782-822463-10005, raw 5555555555554444"),
    ).toEqual(["4111 1111 1111 1111", "3782-822463-10005", "5555555555554444"]);
    expect(found(detectCards, "order 4111111111111112 ts 1700000000000 0000000000000")).toEqual([]);
  });
});

describe("IBANs", () => {
  test("mod-97 checked, compact or grouped", () => {
    expect(ibanValid("GB82 WEST 1234 5698 7654 32")).toBe(true);
    expect(ibanValid("GB82 WEST 1234 5698 7654 33")).toBe(false);
    expect(
      found(
        detectIbans,
        "pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000 not DE89370400440532013001",
      ),
    ).toEqual(["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"]);
  });
});

describe("SSNs", () => {
  test("dashed, excluding never-issued ranges", () => {
    expect(found(detectSsns, "ssn 123-45-6789; bad 000-12-3456 666-12-3456 123-00-4567 2024-01-15")).toEqual([
      "123-45-6789",
    ]);
  });
});

describe("IP addresses", () => {
  test("IPv4 and IPv6, loopback and non-addresses excluded", () => {
    expect(
      found(detectIps, "from 192.168.1.20 and 2001:db8::8a2e:370:7334, fe80::1 via 127.0.0.1 and ::1"),
    ).toEqual(["192.168.1.20", "2001:db8::8a2e:370:7334", "fe80::1"]);
    expect(found(detectIps, "at 12:30:45 mac aa:bb:cc:dd:ee:ff version 1.2.3.4.5.6 or 999.1.1.1")).toEqual(
      [],
    );
  });

  test("an IPv6 address ending in a dotted IPv4 address is found whole", () => {
    expect(
      found(
        detectIps,
        "mapped ::ffff:192.168.1.20, [::ffff:10.0.0.1]:8080 and 64:ff9b::10.1.2.3 or 1:2:3:4:5:6:7.8.9.10",
      ),
    ).toEqual(
      expect.arrayContaining([
        "::ffff:192.168.1.20",
        "::ffff:10.0.0.1",
        "64:ff9b::10.1.2.3",
        "1:2:3:4:5:6:7.8.9.10",
      ]),
    );
    const redactor = createRedactor();
    const shown = redactor.redact("host ::ffff:192.168.1.20 up");
    expect(shown).toMatch(/^host \[PII:ip:[0-9a-f]+\] up$/);
    expect(redactor.restore(shown)).toBe("host ::ffff:192.168.1.20 up");
  });
});

describe("secrets", () => {
  test("provider key formats", () => {
    const keys = [
      `sk-${"a1B2".repeat(12)}`,
      `sk-proj-${"Zx9_".repeat(10)}`,
      `sk-ant-api03-${"Qw8-".repeat(10)}`,
      `AIza${"S".repeat(35)}`,
      `ghp_${"A1b2".repeat(9)}`,
      `github_pat_${"11ABCDEFG".repeat(4)}`,
      "AKIAIOSFODNN7EXAMPLE",
      "xoxb-1234567890-abcdefghij",
      `sk_live_${"4eC39HqLyjWDarjtT1zdp7dc".slice(0, 24)}`,
    ];
    expect(found(detectApiKeys, keys.join(" and "))).toEqual(keys);
    expect(found(detectApiKeys, "task-runner sk-short AKIA123")).toEqual([]);
  });
  test("JWTs and PEM private keys (also truncated ones)", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    expect(found(detectJwts, `Authorization: ${jwt}.`)).toEqual([jwt]);
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAA=\n-----END RSA PRIVATE KEY-----";
    expect(found(detectPrivateKeys, `key:\n${pem}\nrest`)).toEqual([pem]);
    expect(found(detectPrivateKeys, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nMII")).toEqual([
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nMII",
    ]);
    expect(found(detectPrivateKeys, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----")).toEqual(
      [],
    );
  });
  test("high-entropy values assigned to secret-looking names", () => {
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
    const text =
      'DB_PASSWORD=Xk9#mQ2$vL7p token: "c0ffee4a11d4e5" {"client_secret": "Zq81mNbV3xYw"} password=******** token: undefined Bearer abcDEF123456ghiJKL';
    expect(found(detectSecretAssignments, text)).toEqual([
      "Xk9#mQ2$vL7p",
      "c0ffee4a11d4e5",
      "Zq81mNbV3xYw",
      "abcDEF123456ghiJKL",
    ]);
  });
  test("a shell's PWD and OLDPWD holding paths are not passwords; other *PWD names and non-path values are", () => {
    const env =
      "PWD=/home/dev/projects/agentry-app\nOLDPWD=/srv/build/x86_64\nSHLVL=1\nexport pwd='~/work/repo-9'";
    expect(found(detectSecretAssignments, env)).toEqual([]);
    const secrets =
      "MYSQL_PWD=/Xk9#mQ2$vL7pZq8 db_pwd=/Zq81mNbV3xYw PWD=Xk9#mQ2$vL7pAb XOLDPWD=/c0ffee4a11d4e5q";
    expect(found(detectSecretAssignments, secrets)).toEqual([
      "/Xk9#mQ2$vL7pZq8",
      "/Zq81mNbV3xYw",
      "Xk9#mQ2$vL7pAb",
      "/c0ffee4a11d4e5q",
    ]);
  });
});

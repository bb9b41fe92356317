import { describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import * as bunDigest from "../../src/digest/bun.ts";
import * as nodeDigest from "../../src/digest/index.ts";
import { randomBytes, randomHex } from "../../src/digest/random.ts";
import { seededRandom } from "../support/seeded-random.ts";

/** Strings of every kind the audit chain and the redactor hash: empty, ASCII, unicode, lone surrogates, long. */
function inputs(): string[] {
  const random = seededRandom(256);
  const alphabet = [
    "a",
    "Z",
    "0",
    " ",
    "\n",
    "\u0000",
    "é",
    "€",
    "日本",
    "😀",
    "\ud800",
    "\udfff",
    '"',
    "\\",
  ];
  const generated = Array.from({ length: 500 }, () => {
    let text = "";
    const length = Math.floor(random() ** 3 * 3000);
    for (let index = 0; index < length; index++) text += alphabet[Math.floor(random() * alphabet.length)];
    return text;
  });
  return ["", "a", "abc", "x".repeat(1_000_000), "\u{10FFFF}", "\ud83d", ...generated];
}

describe("the executable's digests (Bun's native hasher) equal node:crypto's byte for byte", () => {
  const keys = [new Uint8Array(0), new Uint8Array(32).fill(7), randomBytes(32), randomBytes(100)];

  test("SHA-256 hex", () => {
    for (const input of inputs()) {
      const expected = createHash("sha256").update(input, "utf8").digest("hex");
      expect(bunDigest.sha256Hex(input)).toBe(expected);
      expect(nodeDigest.sha256Hex(input)).toBe(expected);
    }
    expect(bunDigest.sha256Hex("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  test("HMAC-SHA-256 hex, under keys of every length", () => {
    for (const key of keys) {
      for (const input of inputs().slice(0, 200)) {
        const expected = createHmac("sha256", key).update(input, "utf8").digest("hex");
        expect(bunDigest.hmacSha256Hex(key, input)).toBe(expected);
        expect(nodeDigest.hmacSha256Hex(key, input)).toBe(expected);
      }
    }
  });
});

describe("random bytes from Web Crypto", () => {
  test("randomHex gives twice as many lowercase hex digits as bytes, different each call", () => {
    expect(randomHex(3)).toMatch(/^[0-9a-f]{6}$/);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
    const seen = new Set(Array.from({ length: 1000 }, () => randomHex(8)));
    expect(seen.size).toBe(1000);
  });

  test("every byte value occurs (the hex encoding pads and covers 00–ff)", () => {
    const digits = new Set<string>();
    for (let index = 0; index < 64; index++) {
      const hex = randomHex(256);
      for (let at = 0; at < hex.length; at += 2) digits.add(hex.slice(at, at + 2));
    }
    expect(digits.size).toBe(256);
    expect(randomBytes(32)).toHaveLength(32);
  });
});

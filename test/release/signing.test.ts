import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatChecksums, parseChecksums, sha256File } from "../../scripts/release/checksums.ts";
import { ReleaseError } from "../../scripts/release/release-error.ts";
import { loadSigningKey, signBytes, verifyBytes } from "../../scripts/release/sign.ts";

const dir = mkdtempSync(join(tmpdir(), "release-sign-"));

function pemKey(type: "ed25519" | "ec"): string {
  const { privateKey } =
    type === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const path = join(dir, `${type}.pem`);
  writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }));
  return path;
}

describe("checksums", () => {
  test("sha256sum format, sorted by name, parsed back", async () => {
    const file = join(dir, "data.bin");
    writeFileSync(file, "abc");
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(await sha256File(file)).toBe(abc);
    const text = formatChecksums([
      { file: "b.zip", sha256: abc },
      { file: "B.tar.gz", sha256: "0".repeat(64) },
      { file: "a.tar.gz", sha256: abc },
    ]);
    expect(text).toBe(`${"0".repeat(64)}  B.tar.gz\n${abc}  a.tar.gz\n${abc}  b.zip\n`);
    expect(parseChecksums(text).get("b.zip")).toBe(abc);
    expect(() => parseChecksums(`${abc} b.zip\n`)).toThrow("line 1");
  });
});

describe("ed25519 signing", () => {
  test("signs raw bytes; the public key verifies them and rejects any change", () => {
    const { signature, publicKeyPem } = signBytes(Buffer.from("SUMS\n"), loadSigningKey(pemKey("ed25519")));
    expect(signature).toHaveLength(64);
    expect(publicKeyPem).toStartWith("-----BEGIN PUBLIC KEY-----");
    expect(verifyBytes(Buffer.from("SUMS\n"), signature, publicKeyPem)).toBe(true);
    expect(verifyBytes(Buffer.from("SUMS \n"), signature, publicKeyPem)).toBe(false);
  });

  test("a non-ed25519 or unreadable key is a ReleaseError naming the file", () => {
    const ec = pemKey("ec");
    expect(() => loadSigningKey(ec)).toThrow(ReleaseError);
    expect(() => loadSigningKey(ec)).toThrow("not ed25519");
    expect(() => loadSigningKey(join(dir, "missing.pem"))).toThrow("missing.pem");
  });
});

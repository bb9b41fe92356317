/**
 * `src/digest/index.ts` of the compiled CLI (scripts/build.ts swaps it in): the same digests
 * from Bun's native `CryptoHasher`, which loads no JavaScript module. Only for Bun: the library
 * on Node keeps `index.ts`. test/digest checks both agree byte for byte.
 */
export function sha256Hex(data: string): string {
  return Bun.CryptoHasher.hash("sha256", data, "hex");
}

/** HMAC-SHA-256 (hex) of `data` (UTF-8) under `key`. */
export function hmacSha256Hex(key: Uint8Array, data: string): string {
  return new Bun.CryptoHasher("sha256", key).update(data, "utf8").digest("hex");
}

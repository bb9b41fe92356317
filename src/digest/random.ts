/**
 * Random bytes from the Web Crypto CSPRNG (`globalThis.crypto`, built into Bun and Node ≥ 19),
 * the same generator as node:crypto's `randomBytes` without loading that module.
 */
export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** `length` random bytes as lowercase hex (`2 × length` characters). */
export function randomHex(length: number): string {
  let hex = "";
  for (const byte of randomBytes(length)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

import * as crypto from "node:crypto";

type OneShotHash = (algorithm: string, data: string, encoding: "hex") => string;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

/**
 * SHA-256 hex of a string (UTF-8), for the library and tests: node:crypto's one-shot
 * `crypto.hash` where the runtime has it (Node ≥ 20.12), else `createHash`. The compiled CLI
 * replaces this module with `bun.ts` (scripts/build.ts), Bun's native hasher with byte-identical
 * results: node:crypto pulls Bun's JS stream machinery into every run before its first request
 * (docs/ARCHITECTURE.md, start-up).
 */
export function sha256Hex(data: string): string {
  return oneShot
    ? oneShot("sha256", data, "hex")
    : crypto.createHash("sha256").update(data, "utf8").digest("hex");
}

/** HMAC-SHA-256 (hex) of `data` (UTF-8) under `key`. */
export function hmacSha256Hex(key: Uint8Array, data: string): string {
  return crypto.createHmac("sha256", key).update(data, "utf8").digest("hex");
}

import * as crypto from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";

type OneShotHash = (algorithm: string, data: string, encoding: "hex") => string;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

/** SHA-256 hex of a string; the one-shot `crypto.hash` where the runtime has it (Node ≥ 20.12, Bun). */
export function sha256Hex(data: string): string {
  return oneShot ? oneShot("sha256", data, "hex") : crypto.createHash("sha256").update(data).digest("hex");
}

/** The hash of a record: SHA-256 hex of `prev` followed by the canonical JSON of the record without `hash`. */
export function recordHash(prev: string, recordWithoutHash: Record<string, unknown>): string {
  return sha256Hex(prev + canonicalJson(recordWithoutHash));
}

import { sha256Hex } from "../digest/index.ts";
import { canonicalJson } from "./canonical-json.ts";

/** The hash of a record: SHA-256 hex of `prev` followed by the canonical JSON of the record without `hash`. */
export function recordHash(prev: string, recordWithoutHash: Record<string, unknown>): string {
  return sha256Hex(prev + canonicalJson(recordWithoutHash));
}

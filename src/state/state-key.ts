import { join } from "node:path";
import { canonicalJson } from "../audit/canonical-json.ts";
import { nodeCrypto } from "../lazy-node-crypto/index.ts";
import { UsageError } from "../spec/errors.ts";
import { createPrivateFile, readPrivateFile } from "./private-file.ts";

const KEY_FILE = "state.key";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The per-state-dir secret behind integrity and confidentiality of run state: it signs
 * approval decisions and deferred-run files (HMAC-SHA256) and seals the raw values a resume
 * needs (AES-256-GCM). Anyone who can read `state.key` can forge both; it guards against edits
 * by whatever cannot (see docs/SECURITY.md).
 */
export interface StateKey {
  /** HMAC-SHA256 (hex) over the canonical JSON of `parts`, under a key derived for `purpose`. */
  mac(purpose: string, parts: unknown): string;
  /** Whether `mac` is the MAC of `parts` (constant-time comparison). */
  verify(purpose: string, parts: unknown, mac: string): boolean;
  /** Encrypts and authenticates `plain`, bound to `context` (e.g. the run id). Base64. */
  seal(plain: string, context: string): string;
  /** The sealed text, or undefined when it was altered or sealed for another context or key. */
  unseal(sealed: string, context: string): string | undefined;
}

/**
 * The state dir's key, `<state>/state.key` (32 random bytes, mode 0600 in a 0700 dir). With
 * `create`, a missing key is created atomically on first use (concurrent creators agree on one);
 * without, a missing key yields undefined. A key readable by group or others is refused.
 * The key is never printed.
 */
export function openStateKey(stateDir: string, options: { create: boolean }): StateKey | undefined {
  const path = join(stateDir, KEY_FILE);
  let master = readKey(path);
  if (!master) {
    if (!options.create) return undefined;
    master = createKey(path);
  }
  return keyFrom(master);
}

/**
 * A key with the same MACs and sealing, derived from a shared secret instead of a state dir's
 * key file (the queue's `[queue] state_secret`, which every worker of a queue holds).
 */
export function stateKeyFromSecret(secret: string): StateKey {
  return keyFrom(
    nodeCrypto().createHash("sha256").update(`agentry/shared-secret/v1\0${secret}`, "utf8").digest(),
  );
}

function readKey(path: string): Buffer | undefined {
  const key = readPrivateFile(path, "state key");
  return key && checkedKey(path, key);
}

function createKey(path: string): Buffer {
  return checkedKey(path, createPrivateFile(path, nodeCrypto().randomBytes(KEY_BYTES), "state key"));
}

function checkedKey(path: string, key: Buffer): Buffer {
  if (key.length !== KEY_BYTES)
    throw new UsageError(`state key ${path} is damaged (expected ${KEY_BYTES} bytes)`);
  return key;
}

function keyFrom(master: Buffer): StateKey {
  const { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } = nodeCrypto();
  const derived = new Map<string, Buffer>();
  const derive = (purpose: string): Buffer => {
    let key = derived.get(purpose);
    if (!key) {
      key = createHmac("sha256", master).update(`agentry/${purpose}/v1`).digest();
      derived.set(purpose, key);
    }
    return key;
  };
  const mac = (purpose: string, parts: unknown) =>
    createHmac("sha256", derive(`mac/${purpose}`))
      .update(canonicalJson(parts))
      .digest("hex");
  return {
    mac,
    verify: (purpose, parts, given) => {
      const expected = Buffer.from(mac(purpose, parts), "hex");
      const actual = Buffer.from(/^[0-9a-f]{64}$/.test(given) ? given : "", "hex");
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    seal: (plain, context) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", derive("seal"), iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
    },
    unseal: (sealed, context) => {
      const data = Buffer.from(sealed, "base64");
      if (data.length < IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-gcm", derive("seal"), data.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(data.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * ed25519 signatures of `SHA256SUMS` with node:crypto, in the raw 64-byte form that stock
 * OpenSSL 3 checks with
 * `openssl pkeyutl -verify -pubin -inkey agentry.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig`.
 */

import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { ReleaseError } from "./release-error.ts";

/** Loads a PEM ed25519 private key (PKCS#8, unencrypted). Throws `ReleaseError` naming the file otherwise. */
export function loadSigningKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReleaseError(`cannot load signing key ${path}: ${reason}`, { step: "sign", path });
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new ReleaseError(
      `signing key ${path} is ${key.asymmetricKeyType ?? "not asymmetric"}, not ed25519`,
      {
        step: "sign",
        path,
      },
    );
  }
  return key;
}

/** What signing produces: the raw signature and the matching public key as SPKI PEM. */
export interface Signature {
  signature: Buffer;
  publicKeyPem: string;
}

/** Signs `data` and checks the signature against the derived public key before returning it. */
export function signBytes(data: Uint8Array, key: KeyObject): Signature {
  const signature = sign(null, data, key);
  const publicKey = createPublicKey(key);
  if (!verify(null, data, publicKey, signature)) {
    throw new ReleaseError("the fresh signature does not verify with its own public key", { step: "sign" });
  }
  return { signature, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** Verifies a raw ed25519 signature with a SPKI PEM public key; false for any mismatch. */
export function verifyBytes(data: Uint8Array, signature: Uint8Array, publicKeyPem: string): boolean {
  return verify(null, data, createPublicKey(publicKeyPem), signature);
}

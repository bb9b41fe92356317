import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { UsageError } from "../spec/errors.ts";
import { createPrivateFile, readPrivateFile } from "../state/private-file.ts";

/** Shortest token accepted from the environment: 32 characters (a 256-bit token is 43 in base64url). */
export const MIN_TOKEN_LENGTH = 32;

/** The file holding the generated token: `<state dir>/server.token`, mode 0600. */
export function tokenFilePath(stateDir: string): string {
  return join(stateDir, "server.token");
}

/** Where the operator token came from; `file` names the path printed on stderr. */
export type TokenSource = { kind: "env" } | { kind: "file"; path: string; created: boolean };

/**
 * The operator token: `AGENTRY_SERVER_TOKEN`, else the token in `<state dir>/server.token`, else a
 * fresh random 256-bit one written there (0600; two servers starting at once agree on one). A
 * short env token or a file others can read is a usage error: either would make the one
 * credential guessable or readable.
 */
export function loadServerToken(
  env: Record<string, string | undefined>,
  stateDir: string,
): { token: string; source: TokenSource } {
  const fromEnv = env["AGENTRY_SERVER_TOKEN"];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { token: checkedToken(fromEnv, "AGENTRY_SERVER_TOKEN"), source: { kind: "env" } };
  }
  const path = tokenFilePath(stateDir);
  const existing = readPrivateFile(path, "server token");
  if (existing !== undefined) {
    return {
      token: checkedToken(existing.toString("utf8").trim(), path),
      source: { kind: "file", path, created: false },
    };
  }
  const created = createPrivateFile(path, `${randomBytes(32).toString("base64url")}\n`, "server token");
  return {
    token: checkedToken(created.toString("utf8").trim(), path),
    source: { kind: "file", path, created: true },
  };
}

/** The optional approver token (`AGENTRY_APPROVER_TOKEN`): may decide approvals, not start runs. */
export function loadApproverToken(env: Record<string, string | undefined>): string | undefined {
  const value = env["AGENTRY_APPROVER_TOKEN"];
  if (value === undefined || value === "") return undefined;
  return checkedToken(value, "AGENTRY_APPROVER_TOKEN");
}

function checkedToken(value: string, name: string): string {
  if (value.length < MIN_TOKEN_LENGTH || /\s/.test(value)) {
    throw new UsageError(`${name} must be at least ${MIN_TOKEN_LENGTH} characters without spaces`, {
      hint: "generate one with: openssl rand -base64 32",
    });
  }
  return value;
}

/** Who a request is, by its bearer token. */
export type Role = "operator" | "approver";

/**
 * Checks `Authorization: Bearer <token>` against the operator and approver tokens. Both digests
 * are always compared with `timingSafeEqual` over SHA-256 digests, so neither the length nor the
 * content of a token leaks through timing. Undefined means no valid token (401).
 */
export function roleOf(
  authorization: string | null,
  tokens: { operator: string; approver?: string | undefined },
): Role | undefined {
  const presented = /^Bearer ([^\s]+)$/.exec(authorization ?? "")?.[1] ?? "";
  const digest = sha256(presented);
  const operator = timingSafeEqual(digest, sha256(tokens.operator));
  const approver = tokens.approver !== undefined && timingSafeEqual(digest, sha256(tokens.approver));
  if (presented === "") return undefined;
  if (operator) return "operator";
  return approver ? "approver" : undefined;
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

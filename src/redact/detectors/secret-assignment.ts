import type { Detection } from "./types.ts";

const ASSIGNMENT =
  /(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth)[A-Za-z0-9_-]{0,30}["']?[ \t]{0,5}[:=][ \t]{0,5}["']?([^\s"'`,;[\]{}()<>]{8,256})/gi;
const BEARER = /\bBearer[ \t]+([A-Za-z0-9._~+/=-]{16,})/g;

/** Minimum Shannon entropy, in bits per character, for an assigned value to count as a secret. */
export const ENTROPY_THRESHOLD = 3.0;

/** Shannon entropy of `value` in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  const length = value.length;
  for (const count of counts.values()) {
    const p = count / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** `PWD=` or `OLDPWD=` (either case) and a path: a shell's working directories as `env` prints them. */
const WORKING_DIRECTORY = /^(?:old)?pwd["']?[ \t]*[:=][ \t]*["']?[/~]/i;

/**
 * Whether the assignment matched at `start` is the shell's `PWD` or `OLDPWD` holding a path, not
 * a password: the name stands alone (`MYSQL_PWD=` and `db_pwd=` are still passwords) and the value
 * starts with `/` or `~`.
 */
function isWorkingDirectory(text: string, start: number, end: number): boolean {
  let from = start;
  if (text.slice(from - 3, from).toLowerCase() === "old") from -= 3;
  if (from > 0 && /[A-Za-z0-9_]/.test(text.charAt(from - 1))) return false;
  return WORKING_DIRECTORY.test(text.slice(from, end));
}

function pushValues(regex: RegExp, text: string, out: Detection[], needEntropy: boolean): void {
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    const value = m[1] as string;
    if (needEntropy && shannonEntropy(value) < ENTROPY_THRESHOLD) continue;
    if (needEntropy && isWorkingDirectory(text, m.index, m.index + m[0].length)) continue;
    const end = m.index + m[0].length;
    out.push({ start: end - value.length, end, kind: "secret" });
  }
}

/**
 * High-entropy values assigned to secret-looking names (`password=…`, `token: …`, `api_key=…`,
 * `"secret": "…"`) and bearer tokens. Only the value is redacted, so the name stays readable.
 * Low-entropy values (`token: undefined`, `password=********`) are left alone.
 */
export function detectSecretAssignments(text: string, out: Detection[]): void {
  pushValues(ASSIGNMENT, text, out, true);
  if (text.includes("Bearer")) pushValues(BEARER, text, out, false);
}

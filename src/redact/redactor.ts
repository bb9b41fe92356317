import { detectApiKeys } from "./detectors/api-key.ts";
import { detectCards } from "./detectors/card.ts";
import { detectEmails } from "./detectors/email.ts";
import { detectIbans } from "./detectors/iban.ts";
import { detectIps } from "./detectors/ip.ts";
import { detectJwts } from "./detectors/jwt.ts";
import { LiteralSecrets } from "./detectors/literal-secrets.ts";
import { detectPhones } from "./detectors/phone.ts";
import { detectPrivateKeys } from "./detectors/private-key.ts";
import { detectSecretAssignments } from "./detectors/secret-assignment.ts";
import { detectSsns } from "./detectors/ssn.ts";
import type { Detection, Detector } from "./detectors/types.ts";
import { compileUserPatterns } from "./detectors/user-patterns.ts";
import { PLACEHOLDER, PlaceholderTable } from "./placeholders.ts";

/**
 * Replaces sensitive values with stable placeholders (`[PII:email:3f9a1c]`) and maps them back.
 * One redactor per run (or per agent tree): placeholders are only meaningful to the redactor that
 * issued them.
 */
export interface Redactor {
  /** The text with every detected value replaced by its placeholder. */
  redact(text: string): string;
  /**
   * `redact` applied to every string inside a JSON value, object keys included (a model chooses
   * the keys of free-form arguments such as an http call's headers). Objects and arrays are copied
   * where something changed; an untouched value is returned as is (never mutated).
   */
  redactValue<T>(value: T): T;
  /** Placeholders this redactor issued, inside any string or key of a JSON value, back to real values. */
  restore<T>(value: T): T;
  /** Adds exact secret values (e.g. interpolated `${VAR}`s) to redact from now on. */
  addSecrets(values: readonly string[]): void;
  /**
   * How many characters at the start of `text`, the held part of a text still streaming in, can be
   * redacted and shown now (0: hold it all). The cut is just after a whitespace character at least
   * `STREAM_HOLD` characters (or the longest configured secret holding whitespace) before the end,
   * so a value still arriving is never shown in part, and only where redacting the two sides
   * apart gives what redacting the whole gives, so no detected value (a passphrase, a card number
   * written with spaces, a private key) is split.
   */
  streamCut(text: string): number;
}

export interface RedactorOptions {
  /** Detect personal data (e-mails, phones, cards, IBANs, SSNs, IPs). Default true. Secrets are always detected. */
  pii?: boolean;
  /** Extra regular expressions (JavaScript syntax); matches become `[PII:pattern:…]`. */
  patterns?: readonly string[];
  /** Exact secret values; matched longest first, values shorter than 4 characters are ignored. */
  secrets?: readonly string[];
  /**
   * Placeholders an earlier redactor of the same run issued, with their real values (a resumed
   * run): restored and reused as this redactor's own. Placeholders are otherwise meaningful only
   * to the redactor that issued them.
   */
  known?: Readonly<Record<string, string>>;
}

const PII_DETECTORS: Detector[] = [
  detectEmails,
  detectIbans,
  detectCards,
  detectSsns,
  detectPhones,
  detectIps,
];
const SECRET_DETECTORS: Detector[] = [detectPrivateKeys, detectJwts, detectApiKeys, detectSecretAssignments];

/**
 * Characters of streamed text always held back: more than the longest value with whitespace a
 * detector finds whole (an IBAN in groups, a card or phone number with spaces).
 */
export const STREAM_HOLD = 64;

/** Short texts remembered with their redaction (tool names, approval fields, small outputs). */
const CACHED_TEXT_MAX = 1024;
const CACHED_TEXTS = 64;
/** Object keys remembered with their redaction: event and record keys repeat on every event. */
const CACHED_KEYS = 256;

/**
 * Creates a redactor. Throws `RedactPatternError` when a user pattern is not a valid regex.
 * Redactions of short texts (≤ 1024 characters, a few dozen) and of the last longer one are
 * remembered, and a text this redactor produced is returned as it is, so the layers that redact the same arguments, output and approval
 * of one call (logger, audit, events) scan each text once; `addSecrets` forgets them.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const literals = new LiteralSecrets();
  literals.add(options.secrets ?? []);
  const user = compileUserPatterns(options.patterns ?? []);
  const detectors: Detector[] = [
    literals.detect,
    ...SECRET_DETECTORS,
    ...(user ? [user] : []),
    ...(options.pii === false ? [] : PII_DETECTORS),
  ];
  const table = new PlaceholderTable();
  for (const [placeholder, value] of Object.entries(options.known ?? {})) table.adopt(placeholder, value);

  let lastIn = "";
  let lastOut = "";
  const recent = new Map<string, string>();
  const redact = (text: string): string => {
    if (text.length < 4 || text === lastOut) return text;
    if (text === lastIn) return lastOut;
    if (text.length > CACHED_TEXT_MAX) {
      lastIn = text;
      lastOut = redactUncached(text);
      return lastOut;
    }
    let out = recent.get(text);
    if (out === undefined) {
      out = redactUncached(text);
      if (recent.size >= CACHED_TEXTS) recent.clear();
      recent.set(text, out);
      recent.set(out, out);
    }
    return out;
  };
  const redactUncached = (text: string): string => {
    const found: Detection[] = [];
    const priority: number[] = [];
    for (let i = 0; i < detectors.length; i++) {
      const before = found.length;
      (detectors[i] as Detector)(text, found);
      for (let j = before; j < found.length; j++) priority.push(i);
    }
    if (found.length === 0) return text;
    return replaceSpans(text, resolveOverlaps(text.length, found, priority), table);
  };

  const keys = new Map<string, string>();
  const redactKey = (key: string): string => {
    if (key.length < 4) return key;
    let out = keys.get(key);
    if (out === undefined) {
      out = redactUncached(key);
      if (keys.size >= CACHED_KEYS) keys.clear();
      keys.set(key, out);
    }
    return out;
  };

  const restoreText = (text: string): string =>
    text.includes("[PII:")
      ? text.replace(PLACEHOLDER, (placeholder) => table.valueOf(placeholder) ?? placeholder)
      : text;

  const streamCut = (text: string): number => {
    const limit = text.length - Math.max(STREAM_HOLD, literals.longestSpaced);
    if (limit <= 0) return 0;
    const cut =
      Math.max(
        text.lastIndexOf(" ", limit - 1),
        text.lastIndexOf("\n", limit - 1),
        text.lastIndexOf("\t", limit - 1),
      ) + 1;
    if (cut === 0) return 0;
    const whole = redact(text);
    if (whole === text) return cut;
    return redact(text.slice(0, cut)) + redact(text.slice(cut)) === whole ? cut : 0;
  };

  return {
    redact,
    streamCut,
    redactValue: <T>(value: T): T => mapStrings(value, redact, redactKey) as T,
    restore: <T>(value: T): T => mapStrings(value, restoreText, restoreText) as T,
    addSecrets: (values) => {
      literals.add(values);
      lastIn = "";
      lastOut = "";
      recent.clear();
      keys.clear();
    },
  };
}

function resolveOverlaps(length: number, found: Detection[], priority: number[]): Detection[] {
  if (found.length === 1) return found;
  const order = found.map((_, i) => i);
  order.sort((a, b) => {
    const pa = priority[a] as number;
    const pb = priority[b] as number;
    if (pa !== pb) return pa - pb;
    const da = found[a] as Detection;
    const db = found[b] as Detection;
    return da.start - db.start || db.end - da.end;
  });
  const taken = new Uint8Array(length);
  const accepted: Detection[] = [];
  for (const index of order) {
    const d = found[index] as Detection;
    let free = true;
    for (let i = d.start; i < d.end; i++) {
      if (taken[i]) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    taken.fill(1, d.start, d.end);
    accepted.push(d);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

function replaceSpans(text: string, spans: Detection[], table: PlaceholderTable): string {
  let out = "";
  let cursor = 0;
  for (const span of spans) {
    out += text.slice(cursor, span.start) + table.placeholderFor(span.kind, text.slice(span.start, span.end));
    cursor = span.end;
  }
  return out + text.slice(cursor);
}

/**
 * `fn` over every string of a JSON value and `key` over every object key; returns the value itself
 * when nothing changed. A changed object is rebuilt in its key order with data properties, so a
 * key `__proto__` stays an ordinary key.
 */
function mapStrings(value: unknown, fn: (text: string) => string, key: (text: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const mapped = mapStrings(item, fn, key);
      if (mapped !== item) {
        copy ??= value.slice();
        copy[i] = mapped;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let entries: [string, unknown][] | undefined;
  let kept = 0;
  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue;
    const item = record[name];
    const mapped = mapStrings(item, fn, key);
    const mappedName = key(name);
    if (entries === undefined && (mapped !== item || mappedName !== name)) {
      entries = Object.entries(record).slice(0, kept);
    }
    if (entries) entries.push([mappedName, mapped]);
    else kept++;
  }
  return entries ? Object.fromEntries(entries) : value;
}

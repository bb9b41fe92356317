import { hmacSha256Hex } from "../digest/index.ts";
import { randomBytes } from "../digest/random.ts";

/** Matches any placeholder this module produces: `[PII:kind:hex]`. */
export const PLACEHOLDER = /\[PII:[a-z_]+:[0-9a-f]{6,64}\]/g;

/**
 * The two-way table behind stable placeholders. A placeholder is the kind plus the first 6 hex
 * digits of HMAC-SHA256(value) under a key drawn at random per table, so the same value always
 * gets the same placeholder within a redactor while nobody can confirm a guess offline. On a
 * (rare) prefix collision between two values the longer digests are used.
 */
export class PlaceholderTable {
  private readonly key = randomBytes(32);
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();

  /** The placeholder for `value` of `kind`, created on first use. */
  placeholderFor(kind: string, value: string): string {
    const cacheKey = `${kind}\u0000${value}`;
    const known = this.byValue.get(cacheKey);
    if (known) return known;
    const digest = hmacSha256Hex(this.key, value);
    let length = 6;
    let placeholder = `[PII:${kind}:${digest.slice(0, length)}]`;
    while (this.byPlaceholder.has(placeholder) && this.byPlaceholder.get(placeholder) !== value) {
      length += 2;
      placeholder = `[PII:${kind}:${digest.slice(0, length)}]`;
    }
    this.byValue.set(cacheKey, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  /**
   * Takes over a placeholder an earlier table of the same run issued (a resumed run), so it is
   * restored to `value` and `value` is redacted to it again. Ignored when `placeholder` is not of
   * the `[PII:kind:hex]` form or this table already maps it.
   */
  adopt(placeholder: string, value: string): void {
    const kind = /^\[PII:([a-z_]+):[0-9a-f]{6,64}\]$/.exec(placeholder)?.[1];
    if (kind === undefined || this.byPlaceholder.has(placeholder)) return;
    this.byValue.set(`${kind}\u0000${value}`, placeholder);
    this.byPlaceholder.set(placeholder, value);
  }

  /** The real value behind a placeholder this table issued, if any. */
  valueOf(placeholder: string): string | undefined {
    return this.byPlaceholder.get(placeholder);
  }
}

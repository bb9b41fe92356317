import { collect, type Detection } from "./types.ts";

/** Configured secrets shorter than this are ignored: they would redact ordinary words. */
export const MIN_SECRET_LENGTH = 4;

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Exact configured secret values (interpolated `${VAR}`s, keys, header values). Alternatives are
 * ordered longest first so a secret that contains another is redacted whole.
 */
export class LiteralSecrets {
  private readonly values = new Set<string>();
  private regex: RegExp | undefined;
  private spaced = 0;

  /** Length of the longest value holding whitespace (0 if none): streamed text is cut at whitespace. */
  get longestSpaced(): number {
    return this.spaced;
  }

  /** Adds values; those shorter than `MIN_SECRET_LENGTH` are skipped. */
  add(values: readonly string[]): void {
    let changed = false;
    for (const value of values) {
      if (value.length >= MIN_SECRET_LENGTH && !this.values.has(value)) {
        this.values.add(value);
        if (/\s/.test(value)) this.spaced = Math.max(this.spaced, value.length);
        changed = true;
      }
    }
    if (!changed) return;
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    this.regex = new RegExp(sorted.map(escapeRegex).join("|"), "g");
  }

  /** Detector over the current set of values. */
  readonly detect = (text: string, out: Detection[]): void => {
    if (this.regex) collect(this.regex, text, out, "secret");
  };
}

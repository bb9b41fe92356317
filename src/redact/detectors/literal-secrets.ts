import { collect, type Detection } from "./types.ts";

/** Configured secrets shorter than this are ignored: they would redact ordinary words. */
export const MIN_SECRET_LENGTH = 4;

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Secrets of fewer bytes are not looked for in base64: their encoded core would be too short to be telling. */
export const MIN_BASE64_BYTES = 8;

/**
 * The forms a secret is commonly written in besides its own, by programs that mean no harm: JSON
 * string escaping (a password with `"` or `\` in a JSON file or API answer), percent-encoding (in
 * a URL or a form body), and base64, standard and URL-safe (a basic-auth header, a Kubernetes
 * secret), at each of the three byte alignments it can have inside a longer encoded text: only
 * the characters that the secret's bytes alone decide, so the same core is found whatever
 * surrounds it (`user:` before a password).
 */
export function encodedForms(value: string): string[] {
  const forms = [JSON.stringify(value).slice(1, -1), percentEncoded(value)];
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length >= MIN_BASE64_BYTES) {
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
      const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
      forms.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  return forms.filter((form) => form !== value);
}

function percentEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Exact configured secret values (interpolated `${VAR}`s, keys, header values) and their
 * `encodedForms`. Alternatives are ordered longest first so a secret that contains another is
 * redacted whole.
 */
export class LiteralSecrets {
  private readonly values = new Set<string>();
  private regex: RegExp | undefined;
  private spaced = 0;

  /** Length of the longest value holding whitespace (0 if none): streamed text is cut at whitespace. */
  get longestSpaced(): number {
    return this.spaced;
  }

  /** Adds values with their encoded forms; values shorter than `MIN_SECRET_LENGTH` are skipped. */
  add(values: readonly string[]): void {
    let changed = false;
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH || this.values.has(value)) continue;
      for (const form of [value, ...encodedForms(value)]) {
        this.values.add(form);
        if (/\s/.test(form)) this.spaced = Math.max(this.spaced, form.length);
      }
      changed = true;
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

import { collect, type Detection } from "./types.ts";

const CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

/** ISO 13616 mod-97 check of an IBAN (spaces ignored). */
export function ibanValid(value: string): boolean {
  const compact = value.replace(/ /g, "");
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    const n = c >= 65 ? c - 55 : c - 48;
    remainder = n >= 10 ? (remainder * 100 + n) % 97 : (remainder * 10 + n) % 97;
  }
  return remainder === 1;
}

/** IBANs, compact or in groups of four, validated by their mod-97 checksum. */
export function detectIbans(text: string, out: Detection[]): void {
  collect(CANDIDATE, text, out, "iban", ibanValid);
}

import { collect, type Detection, hasDigits } from "./types.ts";

const CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w]|-\d)/g;

/** The Luhn checksum over the digits of `value` (separators ignored). */
export function luhnValid(value: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = value.length - 1; i >= 0; i--) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let digit = c - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Payment card numbers: 13–19 digits, optionally grouped by spaces or dashes, Luhn-checked. */
export function detectCards(text: string, out: Detection[]): void {
  if (!hasDigits(text, 13)) return;
  collect(CANDIDATE, text, out, "card", (value) => {
    const separators = value.match(/[ -]/g);
    if (separators && new Set(separators).size > 1) return false;
    return luhnValid(value) && !/^(\d)\1+$/.test(value.replace(/[ -]/g, ""));
  });
}

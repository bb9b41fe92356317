import { collect, type Detection, hasDigits } from "./types.ts";

const INTERNATIONAL = /(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w]|[.-]\d)/g;
const AREA_IN_PARENS = /(?<![\w(])\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}(?![\w]|[.-]\d)/g;
const NORTH_AMERICAN = /(?<![\w.+-])\d{3}([-. ])\d{3}\1\d{4}(?![\w]|[.-]\d)/g;
const TRUNK_PREFIXED = /(?<![\w.+-])0\d{1,4}(?:[ .-]\d{2,4}){2,4}(?![\w]|[.-]\d)/g;

function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * Phone numbers: international (`+44 20 7946 0958`, `+1-202-555-0143`), area code in parentheses
 * (`(020) 7946 0958`), North American `202-555-0143`, and national numbers with a trunk `0` and
 * separators (`06 12 34 56 78`, `030 1234 5678`). Digit counts are checked (8–15, E.164) and
 * unseparated digit runs, dates (`2024-01-15`) and dotted versions are not matched.
 */
export function detectPhones(text: string, out: Detection[]): void {
  if (!hasDigits(text, 8)) return;
  const plausible = (value: string) => {
    const digits = digitCount(value);
    return digits >= 8 && digits <= 15;
  };
  if (text.includes("+")) collect(INTERNATIONAL, text, out, "phone", plausible);
  if (text.includes("(")) collect(AREA_IN_PARENS, text, out, "phone", plausible);
  collect(NORTH_AMERICAN, text, out, "phone");
  collect(TRUNK_PREFIXED, text, out, "phone", (value) => {
    const digits = digitCount(value);
    return digits >= 9 && digits <= 12 && !/^\d{2}([./-])\d{2}\1\d{4}$/.test(value);
  });
}

import { collect, type Detection, hasDigits } from "./types.ts";

const SSN = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|-\d)/g;

/** US Social Security numbers in their dashed form, excluding never-issued ranges. */
export function detectSsns(text: string, out: Detection[]): void {
  if (text.includes("-") && hasDigits(text, 9)) collect(SSN, text, out, "ssn");
}

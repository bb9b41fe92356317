import type { Detection } from "./types.ts";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 255;

function isLocalChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45
  );
}

function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
}

/**
 * E-mail addresses. Scans outward from each `@` instead of using a regex, which would be quadratic
 * on long runs of address characters without an `@`.
 */
export function detectEmails(text: string, out: Detection[]): void {
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    let start = at;
    while (start > 0 && at - start < MAX_LOCAL && isLocalChar(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === 46) start++;
    if (start === at) continue;
    let end = at + 1;
    while (end < text.length && end - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(end))) end++;
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    const domain = text.slice(at + 1, end);
    const dot = domain.lastIndexOf(".");
    if (dot <= 0 || domain.startsWith("-") || domain.includes("..")) continue;
    if (!/^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1))) continue;
    out.push({ start, end, kind: "email" });
  }
}

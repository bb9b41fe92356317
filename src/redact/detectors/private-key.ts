import type { Detection } from "./types.ts";

const BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const BODY_CHAR = /[A-Za-z0-9+/=\s:,-]/;

/**
 * PEM private-key blocks, BEGIN line to END line. A block cut off before its END line (truncated
 * output) is redacted up to where its base64 body stops.
 */
export function detectPrivateKeys(text: string, out: Detection[]): void {
  if (!text.includes("-----BEGIN ")) return;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const start = m.index;
    END.lastIndex = start + m[0].length;
    const end = END.exec(text);
    let stop: number;
    if (end) {
      stop = end.index + end[0].length;
    } else {
      stop = start + m[0].length;
      while (stop < text.length && BODY_CHAR.test(text.charAt(stop))) stop++;
    }
    out.push({ start, end: stop, kind: "private_key" });
    BEGIN.lastIndex = stop;
  }
}

/** One sensitive span found in a text: `[start, end)` in UTF-16 code units, and what it is. */
export interface Detection {
  start: number;
  end: number;
  kind: string;
}

/**
 * A detector appends every span it finds in `text` to `out`. Detectors must run in linear time on
 * any input (they run over every tool output and event), so they anchor on literal prefixes or
 * scan characters by hand instead of using unbounded leading quantifiers.
 */
export type Detector = (text: string, out: Detection[]) => void;

/** Runs a global regex over `text`, pushing each match (or its `group`) whose `accept` holds. */
export function collect(
  regex: RegExp,
  text: string,
  out: Detection[],
  kind: string,
  accept?: (match: string) => boolean,
): void {
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    const value = m[0];
    if (value.length === 0) {
      regex.lastIndex++;
      continue;
    }
    if (!accept || accept(value)) out.push({ start: m.index, end: m.index + value.length, kind });
  }
}

/** The most digits any detector asks `hasDigits` for. */
const MOST_DIGITS_ASKED = 13;
let countedText = "";
let countedDigits = 0;

/**
 * Whether `text` holds at least `count` (≤ 13) ASCII digits. Detectors of numbers with a minimum
 * digit count (cards, phones, SSNs) skip their regexes on texts that cannot match. Counting stops
 * at 13 digits and is remembered for the last text, so the detectors share one scan.
 */
export function hasDigits(text: string, count: number): boolean {
  if (text !== countedText) {
    let found = 0;
    for (let i = 0; i < text.length && found < MOST_DIGITS_ASKED; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) found++;
    }
    countedText = text;
    countedDigits = found;
  }
  return countedDigits >= count;
}

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

/**
 * Whether `text` holds at least `count` ASCII digits. Detectors of numbers with a minimum digit
 * count (cards, phones, SSNs) skip their regexes on texts that cannot match; the scan stops as
 * soon as `count` digits are found. Nothing is remembered between calls (no module state).
 */
export function hasDigits(text: string, count: number): boolean {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++found >= count) return true;
  }
  return false;
}

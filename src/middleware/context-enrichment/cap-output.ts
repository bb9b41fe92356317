/**
 * Shrinks `text` to about `limit` characters keeping what is most useful: the head (40%), the tail
 * (40%) and, from the middle, lines containing any of `terms` (20%). `note` is inserted where text
 * was cut and should say where the full output is.
 */
export function capOutput(text: string, limit: number, terms: readonly string[], note: string): string {
  const headSize = Math.floor(limit * 0.4);
  const tailSize = Math.floor(limit * 0.4);
  const relevantSize = limit - headSize - tailSize;
  const headEnd = lineBoundaryBefore(text, headSize);
  const tailStart = lineBoundaryAfter(text, text.length - tailSize);
  const middle = text.slice(headEnd, tailStart);
  const relevant: string[] = [];
  let used = 0;
  if (terms.length > 0) {
    const lowered = terms.map((term) => term.toLowerCase());
    for (const line of middle.split("\n")) {
      if (used + line.length + 1 > relevantSize) break;
      const haystack = line.toLowerCase();
      if (lowered.some((term) => haystack.includes(term))) {
        relevant.push(line);
        used += line.length + 1;
      }
    }
  }
  const omitted = middle.length - used;
  const relevantPart = relevant.length
    ? `[… lines matching the call's arguments …]\n${relevant.join("\n")}\n[…]\n`
    : "";
  return `${text.slice(0, headEnd)}\n[… ${omitted} characters omitted; ${note} …]\n${relevantPart}${text.slice(tailStart)}`;
}

function lineBoundaryBefore(text: string, index: number): number {
  const newline = text.lastIndexOf("\n", index);
  return newline > index * 0.5 ? newline + 1 : index;
}

function lineBoundaryAfter(text: string, index: number): number {
  const newline = text.indexOf("\n", index);
  return newline !== -1 && newline - index < 2000 ? newline + 1 : index;
}

const STOP_WORDS = new Set(["the", "and", "for", "with", "from", "that", "this", "true", "false", "null"]);

/** Search terms from a call's arguments: distinct words of 3+ characters from its string values. */
export function termsFromArgs(args: Record<string, unknown>, max = 20): string[] {
  const terms = new Set<string>();
  const visit = (value: unknown) => {
    if (terms.size >= max) return;
    if (typeof value === "string") {
      for (const word of value.split(/[^\p{L}\p{N}_.-]+/u)) {
        const trimmed = word.replace(/^[.-]+|[.-]+$/g, "");
        if (trimmed.length >= 3 && !STOP_WORDS.has(trimmed.toLowerCase()) && terms.size < max)
          terms.add(trimmed);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(args);
  return [...terms];
}

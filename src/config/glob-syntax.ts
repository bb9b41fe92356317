/**
 * Why a glob pattern is invalid, or undefined when it is valid. A valid pattern is non-empty
 * (not only spaces), closes every `[` with a `]` around at least one character, balances `{`
 * with `}`, and does not end with a lone `\`.
 */
export function globError(pattern: string): string | undefined {
  if (pattern.trim() === "") return "the pattern is empty";
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i === pattern.length - 1) return "the pattern ends with a lone \\";
      i++;
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) return `"[" at character ${i + 1} is never closed by "]"`;
      i = end;
    } else if (c === "{") braces++;
    else if (c === "}") {
      if (braces === 0) return `"}" at character ${i + 1} has no matching "{"`;
      braces--;
    }
  }
  return braces > 0 ? `a "{" is never closed by "}"` : undefined;
}

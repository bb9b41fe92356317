/**
 * POSIX shell-word splitting without a shell (`shell = false`): single quotes are literal, double
 * quotes honour `\"`, `\\`, `\$`, `` \` `` and line continuations, a backslash outside quotes
 * escapes the next character, blanks (space, tab, CR, LF) separate words. Nothing is expanded and
 * no operator exists: `$HOME`, `*`, `~`, `|` and `;` stay literal text. The result is exactly the
 * argv the program receives.
 */

/** The outcome of splitting: words, or a message for the model. */
export type SplitResult = { ok: true; argv: string[] } | { ok: false; error: string };

const BLANK = new Set([" ", "\t", "\n", "\r"]);
const DOUBLE_QUOTE_ESCAPES = new Set(['"', "\\", "$", "`"]);

/** Splits a command line into argv for direct execution. */
export function splitArgv(line: string): SplitResult {
  if (line.includes("\0")) return { ok: false, error: "the command contains a NUL character" };
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0)
        return { ok: false, error: `unbalanced single quote at position ${i + 1}: add the closing '` };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') {
        const c = line[j] as string;
        const next = line[j + 1];
        if (c === "\\" && next === "\n") j += 2;
        else if (c === "\\" && next !== undefined && DOUBLE_QUOTE_ESCAPES.has(next)) {
          word += next;
          j += 2;
        } else {
          word += c;
          j += 1;
        }
      }
      if (j >= line.length)
        return { ok: false, error: `unbalanced double quote at position ${i + 1}: add the closing "` };
      inWord = true;
      i = j + 1;
    } else if (ch === "\\") {
      const next = line[i + 1];
      if (next === undefined)
        return { ok: false, error: "the command ends with a lone backslash: escape it as \\\\ or remove it" };
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (BLANK.has(ch)) {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
      i += 1;
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, error: "the command is empty" };
  return { ok: true, argv };
}

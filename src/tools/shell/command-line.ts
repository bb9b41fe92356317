/**
 * POSIX shell-word splitting without a shell: single quotes are literal, double quotes honour
 * `\"`, `\\`, `\$`, `` \` `` and line continuations, a backslash outside quotes escapes the next
 * character. Nothing is expanded: `$HOME`, `*` and `~` stay literal text.
 */

/** The outcome of splitting: words, or a message for the model. */
export type SplitResult = { ok: true; argv: string[] } | { ok: false; error: string };

/**
 * A command line split for `/bin/sh -c`: the simple commands between control operators, each as
 * argv, and whether it contains a substitution (`$(…)`, backticks, `<(…)`) no rule can vouch for.
 */
export type ShellSplitResult =
  | { ok: true; argv: string[]; segments: string[][]; substitution: boolean }
  | { ok: false; error: string };

const BLANK = new Set([" ", "\t", "\n", "\r"]);
const SEPARATORS = ["&&", "||", ";;", "|&", ";", "&", "|", "(", ")", "\n"];
const DOUBLE_QUOTE_ESCAPES = new Set(['"', "\\", "$", "`"]);

interface Token {
  text: string;
  separator: boolean;
}

function tokenize(line: string, shellMode: boolean): { tokens: Token[]; substitution: boolean } | string {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  let substitution = false;
  const flush = () => {
    if (inWord) tokens.push({ text: word, separator: false });
    word = "";
    inWord = false;
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return `unbalanced single quote at position ${i + 1}: add the closing '`;
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let closed = false;
      while (j < line.length) {
        const c = line[j] as string;
        if (c === '"') {
          closed = true;
          break;
        }
        if (c === "\\" && j + 1 < line.length) {
          const next = line[j + 1] as string;
          if (next === "\n") j += 2;
          else {
            word += DOUBLE_QUOTE_ESCAPES.has(next) ? next : `\\${next}`;
            j += 2;
          }
          continue;
        }
        if (c === "`" || (c === "$" && line[j + 1] === "(")) substitution = true;
        word += c;
        j += 1;
      }
      if (!closed) return `unbalanced double quote at position ${i + 1}: add the closing "`;
      inWord = true;
      i = j + 1;
    } else if (ch === "\\") {
      if (i + 1 >= line.length)
        return "the command ends with a lone backslash: escape it as \\\\ or remove it";
      const next = line[i + 1] as string;
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (shellMode && ch === "\n") {
      flush();
      tokens.push({ text: "\n", separator: true });
      i += 1;
    } else if (BLANK.has(ch)) {
      flush();
      i += 1;
    } else if (
      shellMode &&
      (ch === "`" || ((ch === "$" || ch === "<" || ch === ">") && line[i + 1] === "("))
    ) {
      substitution = true;
      word += ch;
      inWord = true;
      i += 1;
    } else if (shellMode && SEPARATORS.some((op) => line.startsWith(op, i))) {
      const op = SEPARATORS.find((candidate) => line.startsWith(candidate, i)) as string;
      flush();
      tokens.push({ text: op, separator: true });
      i += op.length;
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  flush();
  return { tokens, substitution };
}

/** Splits a command line into argv for direct execution; shell operators are ordinary words. */
export function splitArgv(line: string): SplitResult {
  const result = tokenize(line, false);
  if (typeof result === "string") return { ok: false, error: result };
  const argv = result.tokens.map((token) => token.text);
  if (argv.length === 0) return { ok: false, error: "the command is empty" };
  return { ok: true, argv };
}

/**
 * Splits a command line meant for `/bin/sh -c` into argv and the simple commands between control
 * operators (`;`, `&`, `&&`, `|`, `||`, newlines, parentheses), so each one can be checked alone.
 */
export function splitShellCommand(line: string): ShellSplitResult {
  const plain = tokenize(line, false);
  if (typeof plain === "string") return { ok: false, error: plain };
  const argv = plain.tokens.map((token) => token.text);
  if (argv.length === 0) return { ok: false, error: "the command is empty" };
  const shaped = tokenize(line, true);
  if (typeof shaped === "string") return { ok: false, error: shaped };
  const segments: string[][] = [];
  let current: string[] = [];
  for (const token of shaped.tokens) {
    if (token.separator) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push(token.text);
  }
  if (current.length > 0) segments.push(current);
  return { ok: true, argv, segments, substitution: shaped.substitution };
}

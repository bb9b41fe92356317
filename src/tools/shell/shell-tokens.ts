// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell text holds ${NAME} expansions literally
/**
 * POSIX `sh` token recognition (XCU 2.3) for command lines a policy must check: words with quotes
 * removed, operators, newlines. Comments start only at the beginning of a token, backslash-newline
 * is removed outside single quotes (never inside a comment), `$'…'`, `$"…"`, `$[…]`, `$(…)`,
 * backticks and `${…}` with operators are refused because `dash` and `bash` disagree on them or
 * because no rule can see what they run. Expansions that stay inside one word (`$NAME`, `${NAME}`,
 * `$1`, `$?`) are kept as literal text and flagged.
 */

/** A word with its quoting removed, and what the shell would still do to it. */
export interface WordToken {
  type: "word";
  /** The text after quote removal, with `$NAME` left as written. */
  text: string;
  /** Some character of it was quoted or escaped. */
  quoted: boolean;
  /** It holds a parameter expansion (`$NAME`, `${NAME}`, `$1`, `$@` …). */
  expands: boolean;
  /** It holds unquoted `*`, `?`, `[`, `{`, `}` or starts with an unquoted `~`: the shell may rewrite it. */
  pattern: boolean;
  /** A `<` or `>` follows with no blank in between (an IO number or `{fd}` redirection). */
  beforeRedirect: boolean;
  /**
   * The shell may still turn it into other text or into several words, or remove it: it holds an
   * expansion (an unset `$NAME` vanishes, `${IFS}` splits), an unquoted `*`, `?` or `[`, a leading
   * unquoted `~`, or an unquoted brace list (`{a,b}`, `{1..3}` in bash). `{}` alone stays literal.
   */
  rewritten: boolean;
}

/** A control or redirection operator, or a newline. */
export type Token = WordToken | { type: "op"; op: string } | { type: "newline" };

/** Tokens, or why the line cannot be vouched for. */
export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; reason: string };

const OPERATOR_START = new Set(["&", "|", ";", "<", ">", "(", ")"]);
/** Every operator of POSIX sh and bash, so a bash-only one is never read as two POSIX ones. */
const OPERATORS = [
  ";;&",
  "&>>",
  "<<<",
  "<<-",
  "&&",
  "||",
  ";;",
  ";&",
  "|&",
  "&>",
  ">>",
  "<<",
  "<&",
  ">&",
  "<>",
  ">|",
  "&",
  "|",
  ";",
  "<",
  ">",
  "(",
  ")",
];
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[0-9@*#?\-$!]/;
const PATTERN_CHARS = new Set(["*", "?", "[", "{", "}"]);
const DOUBLE_QUOTE_ESCAPES = new Set(['"', "\\", "$", "`"]);
/** Unquoted characters that make pathname expansion rewrite a word. */
const GLOB = /[*?[]/;
/** An unquoted brace list or sequence, which bash expands into several words. */
const BRACE_LIST = /\{.*(,|\.\.).*\}/;

class Refusal {
  constructor(readonly reason: string) {}
}

/** Splits a command line the way `/bin/sh -c` would, or says why it cannot be vouched for. */
export function tokenizeShell(line: string): TokenizeResult {
  try {
    return { ok: true, tokens: new Lexer(line).run() };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason };
    throw err;
  }
}

class Lexer {
  private i = 0;
  private readonly tokens: Token[] = [];

  constructor(private readonly line: string) {}

  run(): Token[] {
    if (this.line.includes("\0")) throw new Refusal("the command contains a NUL character");
    for (;;) {
      this.skipContinuations();
      const ch = this.line[this.i];
      if (ch === undefined) return this.tokens;
      if (ch === " " || ch === "\t") this.i += 1;
      else if (ch === "\n") {
        this.tokens.push({ type: "newline" });
        this.i += 1;
      } else if (ch === "#") {
        const end = this.line.indexOf("\n", this.i);
        this.i = end < 0 ? this.line.length : end;
      } else if (OPERATOR_START.has(ch)) this.tokens.push({ type: "op", op: this.operator() });
      else this.tokens.push(this.word());
    }
  }

  /** Position after any backslash-newline pairs starting at `at`. */
  private after(at: number): number {
    let j = at;
    while (this.line[j] === "\\" && this.line[j + 1] === "\n") j += 2;
    return j;
  }

  private skipContinuations(): void {
    this.i = this.after(this.i);
  }

  private operator(): string {
    let op = this.line[this.i] as string;
    let end = this.i + 1;
    for (;;) {
      const next = this.after(end);
      const ch = this.line[next];
      if (ch === undefined) break;
      const longer = op + ch;
      if (!OPERATORS.some((candidate) => candidate.startsWith(longer))) break;
      op = longer;
      end = next + 1;
    }
    this.i = end;
    return op;
  }

  private word(): WordToken {
    const token: WordToken = {
      type: "word",
      text: "",
      quoted: false,
      expands: false,
      pattern: false,
      beforeRedirect: false,
      rewritten: false,
    };
    const start = this.i;
    let unquoted = "";
    for (;;) {
      this.skipContinuations();
      const ch = this.line[this.i];
      if (ch === undefined || ch === " " || ch === "\t" || ch === "\n") break;
      if (OPERATOR_START.has(ch)) {
        token.beforeRedirect = ch === "<" || ch === ">";
        break;
      }
      if (ch === "'") this.singleQuoted(token);
      else if (ch === '"') this.doubleQuoted(token);
      else if (ch === "\\") {
        const next = this.line[this.i + 1];
        if (next === undefined) throw new Refusal("the command ends with a lone backslash");
        token.text += next;
        token.quoted = true;
        this.i += 2;
      } else if (ch === "$") this.dollar(token, false);
      else if (ch === "`") throw new Refusal("command substitution (`…`) cannot be checked");
      else {
        if (PATTERN_CHARS.has(ch) || (ch === "~" && this.i === start)) token.pattern = true;
        if (ch === "~" && this.i === start) token.rewritten = true;
        token.text += ch;
        unquoted += ch;
        this.i += 1;
        continue;
      }
      unquoted += "_";
    }
    if (token.expands || GLOB.test(unquoted) || BRACE_LIST.test(unquoted)) token.rewritten = true;
    return token;
  }

  private singleQuoted(token: WordToken): void {
    const end = this.line.indexOf("'", this.i + 1);
    if (end < 0) throw new Refusal(`unbalanced single quote at position ${this.i + 1}`);
    token.text += this.line.slice(this.i + 1, end);
    token.quoted = true;
    this.i = end + 1;
  }

  private doubleQuoted(token: WordToken): void {
    const open = this.i;
    token.quoted = true;
    this.i += 1;
    for (;;) {
      const ch = this.line[this.i];
      if (ch === undefined) throw new Refusal(`unbalanced double quote at position ${open + 1}`);
      if (ch === '"') {
        this.i += 1;
        return;
      }
      if (ch === "\\") {
        const next = this.line[this.i + 1];
        if (next === "\n") this.i += 2;
        else if (next !== undefined && DOUBLE_QUOTE_ESCAPES.has(next)) {
          token.text += next;
          this.i += 2;
        } else {
          token.text += "\\";
          this.i += 1;
        }
      } else if (ch === "$") this.dollar(token, true);
      else if (ch === "`") throw new Refusal("command substitution (`…`) cannot be checked");
      else {
        token.text += ch;
        this.i += 1;
      }
    }
  }

  private dollar(token: WordToken, inDoubleQuotes: boolean): void {
    const at = this.after(this.i + 1);
    const next = this.line[at];
    if (next === "(") throw new Refusal("command substitution or arithmetic ($(…)) cannot be checked");
    if (next === "[") throw new Refusal("arithmetic expansion ($[…]) cannot be checked");
    if (!inDoubleQuotes && (next === "'" || next === '"'))
      throw new Refusal(`${next === "'" ? "$'…'" : '$"…"'} quoting is bash-only and cannot be checked`);
    if (next === "{") {
      let end = at + 1;
      while (end < this.line.length && NAME_CHAR.test(this.line[end] as string)) end += 1;
      const simple = end > at + 1 && this.line[end] === "}" && NAME_START.test(this.line[at + 1] as string);
      if (!simple) throw new Refusal("a ${…} expansion other than ${NAME} cannot be checked");
      token.text += this.line.slice(this.i, end + 1);
      token.expands = true;
      this.i = end + 1;
      return;
    }
    if (next !== undefined && NAME_START.test(next)) {
      let end = at + 1;
      while (end < this.line.length && NAME_CHAR.test(this.line[end] as string)) end += 1;
      token.text += `$${this.line.slice(at, end)}`;
      token.expands = true;
      this.i = end;
      return;
    }
    if (next !== undefined && SPECIAL_PARAMETER.test(next)) {
      token.text += `$${next}`;
      token.expands = true;
      this.i = at + 1;
      return;
    }
    token.text += "$";
    this.i += 1;
  }
}

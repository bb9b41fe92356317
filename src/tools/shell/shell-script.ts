import { type Token, tokenizeShell, type WordToken } from "./shell-tokens.ts";

/**
 * A script for `/bin/sh -c` reduced to what a policy can vouch for: a list of simple commands
 * joined by `;`, `&`, `&&`, `||`, `|` and newlines. Everything else — compound commands and
 * reserved words, `( )`, `{ }`, `!`, assignments, here-documents, builtins that run text or change
 * how later commands are found (`eval`, `exec`, `command`, `alias`, `trap`, `.` …), an expansion,
 * pattern or `~` in the command word — makes the whole script unverifiable, with the reason.
 */

/** One redirection of a simple command. `target` is the word after the operator, quotes removed. */
export interface Redirection {
  op: string;
  target: string;
  /** `/dev/null`, or a descriptor duplication/close (`2>&1`, `<&-`): reads or writes no file. */
  harmless: boolean;
}

/** A simple command: argv with quotes removed (`$NAME` kept as written) and its redirections. */
export interface SimpleCommand {
  argv: string[];
  redirections: Redirection[];
  /**
   * Per argv word: the shell may still rewrite it (an expansion, pattern, `~` or brace list;
   * `WordToken.rewritten`), so its final text, or whether it is one word at all, is unknown.
   * Missing entries are words taken as they are (argv split without a shell).
   */
  rewritten: boolean[];
}

/** The simple commands of a script, or why it cannot be vouched for. */
export type ScriptParse = { ok: true; commands: SimpleCommand[] } | { ok: false; reason: string };

const RESERVED = new Set([
  "!",
  "{",
  "}",
  "case",
  "do",
  "done",
  "elif",
  "else",
  "esac",
  "fi",
  "for",
  "if",
  "in",
  "then",
  "until",
  "while",
  "[[",
  "]]",
  "function",
  "select",
  "coproc",
]);

/** Builtins that run text as commands, or change how later words are read or programs found. */
const STATEFUL_BUILTINS = new Set([
  "eval",
  "exec",
  "command",
  "builtin",
  ".",
  "source",
  "trap",
  "alias",
  "unalias",
  "hash",
  "enable",
  "set",
  "shopt",
  "export",
  "readonly",
  "declare",
  "typeset",
  "local",
  "let",
  "read",
  "mapfile",
  "readarray",
  "unset",
  "shift",
  "getopts",
  "fc",
  "bind",
  "compgen",
  "complete",
]);

const SEPARATORS = new Set([";", "&", "&&", "||", "|"]);
const REDIRECTIONS = new Set(["<", ">", ">>", ">|", "<>", "<&", ">&"]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const NAMED_DESCRIPTOR = /^\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Parses a `/bin/sh -c` script into simple commands, refusing what cannot be vouched for. */
export function parseShellScript(line: string): ScriptParse {
  const lexed = tokenizeShell(line);
  if (!lexed.ok) return lexed;
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { argv: [], redirections: [], rewritten: [] };
  let pendingOperator: string | undefined;
  const tokens = lexed.tokens;
  const finish = (separator: string): string | undefined => {
    if (current.argv.length === 0) {
      if (current.redirections.length > 0) return "a redirection without a command cannot be checked";
      return `"${separator}" without a command before it`;
    }
    commands.push(current);
    current = { argv: [], redirections: [], rewritten: [] };
    return undefined;
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as Token;
    if (token.type === "newline") {
      if (current.argv.length > 0 || current.redirections.length > 0) {
        const problem = finish("newline");
        if (problem) return { ok: false, reason: problem };
      }
      continue;
    }
    if (token.type === "op") {
      if (SEPARATORS.has(token.op)) {
        const problem = finish(token.op);
        if (problem) return { ok: false, reason: problem };
        pendingOperator = token.op === "&&" || token.op === "||" || token.op === "|" ? token.op : undefined;
        continue;
      }
      if (REDIRECTIONS.has(token.op)) {
        const target = tokens[index + 1];
        if (target?.type === "op" && target.op === "(")
          return { ok: false, reason: "process substitution (<(…), >(…)) cannot be checked" };
        if (target?.type !== "word") return { ok: false, reason: `"${token.op}" is not followed by a word` };
        index += 1;
        current.redirections.push(redirection(token.op, target));
        pendingOperator = undefined;
        continue;
      }
      return { ok: false, reason: operatorReason(token.op) };
    }
    if (
      token.beforeRedirect &&
      !token.quoted &&
      (/^\d+$/.test(token.text) || NAMED_DESCRIPTOR.test(token.text))
    ) {
      if (NAMED_DESCRIPTOR.test(token.text))
        return { ok: false, reason: "a {name} descriptor redirection cannot be checked" };
      if (token.text.length > 1)
        return {
          ok: false,
          reason: `"${token.text}" before a redirection is a descriptor in bash but an argument in dash; put a space between them`,
        };
      continue;
    }
    if (current.argv.length === 0) {
      const problem = commandWordProblem(token);
      if (problem) return { ok: false, reason: problem };
    }
    current.argv.push(token.text);
    current.rewritten.push(token.rewritten);
    pendingOperator = undefined;
  }
  if (pendingOperator) return { ok: false, reason: `the command ends with "${pendingOperator}"` };
  if (current.argv.length > 0 || current.redirections.length > 0) {
    const problem = finish("end");
    if (problem) return { ok: false, reason: problem };
  }
  if (commands.length === 0) return { ok: false, reason: "the command is empty" };
  return { ok: true, commands };
}

function redirection(op: string, target: WordToken): Redirection {
  const literal = !target.expands && !target.pattern;
  const duplicate = (op === "<&" || op === ">&") && literal && /^(\d+|-)$/.test(target.text);
  return { op, target: target.text, harmless: duplicate || (literal && target.text === "/dev/null") };
}

function operatorReason(op: string): string {
  if (op === "(" || op === ")")
    return "subshells, grouping, functions and process substitution (( … )) cannot be checked";
  if (op === "<<" || op === "<<-" || op === "<<<") return "here-documents and here-strings cannot be checked";
  if (op === "&>" || op === "&>>") return `"${op}" means different things in sh and bash; write > FILE 2>&1`;
  return `the operator "${op}" cannot be checked`;
}

function commandWordProblem(word: WordToken): string | undefined {
  if (RESERVED.has(word.text))
    return `the shell keyword "${word.text}" (compound commands) cannot be checked`;
  if (STATEFUL_BUILTINS.has(word.text))
    return `the builtin "${word.text}" runs text or changes how commands are found, so it cannot be checked`;
  if (ASSIGNMENT.test(word.text)) return `variable assignments ("${word.text}") cannot be checked`;
  if (word.expands) return `the command name "${word.text}" comes from a variable and cannot be checked`;
  if (word.pattern)
    return `the command name "${word.text}" is a pattern the shell rewrites and cannot be checked`;
  return undefined;
}

import { parseShellScript, type Redirection } from "./shell-script.ts";
import { WRAPPERS, wrappedCommandStart } from "./wrapper-options.ts";

/**
 * Every program a command runs, as far as agentry can tell: the command itself, and what known
 * wrappers run in turn — `env`, `nice`, `nohup`, `timeout`, `sudo`, `doas`, `stdbuf`, `time`,
 * `command`, `exec`, `setsid`, `ionice`, `busybox`, `xargs`, `find -exec/-execdir/-ok/-okdir/-delete`
 * and `sh|bash|dash|zsh|ksh|ash|mksh -c SCRIPT` (the script parsed like a `shell = true` command).
 */

/** One program run with known leading argv; `open` means unknown words may follow (`xargs`, `find {}`). */
export interface CommandSubject {
  argv: string[];
  open: boolean;
  redirections: Redirection[];
}

/** The subjects of a command, or why what it runs cannot be determined. */
export type SubjectsResult = { ok: true; subjects: CommandSubject[] } | { ok: false; reason: string };

/** Names a program is known by: its basename, and the basename of the file it resolves to. */
export type ProgramNames = (program: string) => readonly string[];

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"]);
const SHELL_FLAGS = new Set("abefhkmnptuvxBCEHPT");
const SHELL_LONG_FLAGS = new Set([
  "--norc",
  "--noprofile",
  "--posix",
  "--noediting",
  "--restricted",
  "--verbose",
]);
const FIND_EXEC = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
const MAX_DEPTH = 8;

/**
 * A command to analyse: argv with its redirections and, per word, whether the shell may still
 * rewrite it (`SimpleCommand.rewritten`; empty for argv split without a shell).
 */
export interface CommandWords {
  argv: readonly string[];
  redirections: readonly Redirection[];
  rewritten: readonly boolean[];
}

/**
 * Lists what a command runs, recursively through wrappers; `names` identifies wrappers by
 * basename. A word the shell may still rewrite (an expansion, a pattern) among the words a wrapper
 * reads to find its command — its options and operands, the command word, `sh -c`'s script, any
 * word of `find` — makes the command unverifiable: an unset `$X` vanishes and shifts the others,
 * `-exec$X` becomes `-exec`, `"a${IFS}rm b"` becomes two lines of script.
 */
export function commandSubjects(command: CommandWords, names: ProgramNames, depth = 0): SubjectsResult {
  const { argv } = command;
  const self: CommandSubject = { argv: [...argv], open: false, redirections: [...command.redirections] };
  if (depth > MAX_DEPTH) return { ok: false, reason: "wrappers are nested too deeply to check" };
  const program = argv[0];
  if (program === undefined) return { ok: true, subjects: [self] };
  const known = names(program);
  const inner = innerCommands(command, known, names, depth);
  if (!inner.ok) return inner;
  return { ok: true, subjects: [self, ...inner.subjects] };
}

function innerCommands(
  command: CommandWords,
  known: readonly string[],
  names: ProgramNames,
  depth: number,
): SubjectsResult {
  const { argv, rewritten } = command;
  const subjects: CommandSubject[] = [];
  const add = (from: number, to: number, open: boolean): SubjectsResult | undefined => {
    if (to <= from) return { ok: false, reason: `the program "${argv.join(" ")}" runs cannot be determined` };
    const words = { argv: argv.slice(from, to), redirections: [], rewritten: rewritten.slice(from, to) };
    const nested = commandSubjects(words, names, depth + 1);
    if (!nested.ok) return nested;
    for (const subject of nested.subjects) subjects.push(open ? { ...subject, open } : subject);
    return undefined;
  };
  /** A refusal when a word in `1..last` (the words the wrapper reads) may be rewritten by the shell. */
  const stable = (last: number): SubjectsResult | undefined => {
    for (let i = 1; i <= last && i < argv.length; i++) {
      if (!rewritten[i]) continue;
      return {
        ok: false,
        reason: `the word "${argv[i]}" is expanded or rewritten by the shell (a variable, pattern, ~ or brace list), so what "${argv[0]}" runs cannot be determined; quote it or write it out`,
      };
    }
    return undefined;
  };
  const handled = new Set<string>();
  for (const name of known) {
    const kind = SHELLS.has(name) ? "shell" : name;
    if (handled.has(kind)) continue;
    handled.add(kind);
    if (kind === "shell") {
      const script = shellScript(argv);
      if (!script.ok) return script;
      const unstable = stable(script.index);
      if (unstable) return unstable;
      const parsed = parseShellScript(script.text);
      if (!parsed.ok)
        return {
          ok: false,
          reason: `the script given to "${argv[0]} -c" cannot be checked: ${parsed.reason}`,
        };
      for (const simple of parsed.commands) {
        const nested = commandSubjects(simple, names, depth + 1);
        if (!nested.ok) return nested;
        subjects.push(...nested.subjects);
      }
    } else if (name === "find") {
      const unstable = stable(argv.length - 1);
      if (unstable) return unstable;
      for (const action of findActions(argv)) {
        if (action === "delete") {
          subjects.push({ argv: ["rm"], open: true, redirections: [] });
          continue;
        }
        const problem = add(action.from, action.to, action.open);
        if (problem) return problem;
      }
    } else if (name === "xargs") {
      const start = wrappedCommandStart(argv, WRAPPERS["xargs"] as (typeof WRAPPERS)[string]);
      if (!start.ok) return start;
      const unstable = stable(start.index ?? argv.length - 1);
      if (unstable) return unstable;
      if (start.index === undefined) {
        subjects.push({ argv: ["echo"], open: true, redirections: [] });
        continue;
      }
      const at = start.index;
      const replace = replacement(argv.slice(1, at));
      const cut = replace === undefined ? -1 : argv.findIndex((word, i) => i > at && word.includes(replace));
      const problem = add(at, cut < 0 ? argv.length : cut, true);
      if (problem) return problem;
    } else {
      const spec = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
      if (!spec) continue;
      const start = wrappedCommandStart(argv, spec);
      if (!start.ok) return start;
      const unstable = stable(start.index ?? argv.length - 1);
      if (unstable) return unstable;
      if (start.index === undefined) continue;
      const problem = add(start.index, argv.length, false);
      if (problem) return problem;
    }
  }
  return { ok: true, subjects };
}

/** The script `sh -c` runs and its index in argv, or why it cannot be found. */
function shellScript(
  argv: readonly string[],
): { ok: true; text: string; index: number } | { ok: false; reason: string } {
  const shell = argv[0] ?? "sh";
  const opaque = (why: string) => ({
    ok: false as const,
    reason: `"${shell}" ${why}, which cannot be checked`,
  });
  let command = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "--" || word === "-") {
      i += 1;
      break;
    }
    if (!/^[-+]./.test(word)) break;
    if (word.startsWith("--")) {
      if (!SHELL_LONG_FLAGS.has(word)) return opaque(`with ${word} reads startup files or options`);
      continue;
    }
    for (const letter of word.slice(1)) {
      if (letter === "c") command = true;
      else if (letter === "o" || letter === "O") i += 1;
      else if (letter === "i" || letter === "l") return opaque(`-${letter} reads startup files`);
      else if (letter === "s") return opaque("-s reads commands from standard input");
      else if (!SHELL_FLAGS.has(letter))
        return opaque(`is used with an option agentry does not know (-${letter})`);
    }
  }
  if (!command) return opaque("without -c runs a script file or standard input");
  const text = argv[i];
  if (text === undefined) return opaque("-c without a script");
  return { ok: true, text, index: i };
}

/**
 * `find` actions that run or delete: `-exec` and its kin as the argv range `[from, to)` of the
 * known leading words of the command they run and whether more words follow; `-delete` as is.
 */
function findActions(argv: readonly string[]): ({ from: number; to: number; open: boolean } | "delete")[] {
  const actions: ({ from: number; to: number; open: boolean } | "delete")[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "-delete") actions.push("delete");
    if (!FIND_EXEC.has(word)) continue;
    let end = i + 1;
    while (end < argv.length && argv[end] !== ";" && argv[end] !== "+") end += 1;
    const cut = argv.findIndex((w, at) => at > i && at < end && w.includes("{}"));
    const open = cut >= 0 || argv[end] === "+";
    actions.push({ from: i + 1, to: cut < 0 ? end : cut, open });
    i = end;
  }
  return actions;
}

/** The replacement string of `xargs -I R`, `-iR`, `-i`, `--replace[=R]`, if any. */
function replacement(options: readonly string[]): string | undefined {
  for (let i = 0; i < options.length; i++) {
    const word = options[i] as string;
    if (word === "-I") return options[i + 1] ?? "{}";
    if (word.startsWith("-I")) return word.slice(2);
    if (word === "-i" || word === "--replace") return "{}";
    if (word.startsWith("-i")) return word.slice(2);
    if (word.startsWith("--replace=")) return word.slice("--replace=".length);
  }
  return undefined;
}

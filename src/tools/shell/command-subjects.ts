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

/** Lists what `argv` runs, recursively through wrappers; `names` identifies wrappers by basename. */
export function commandSubjects(
  argv: readonly string[],
  redirections: readonly Redirection[],
  names: ProgramNames,
  depth = 0,
): SubjectsResult {
  const self: CommandSubject = { argv: [...argv], open: false, redirections: [...redirections] };
  if (depth > MAX_DEPTH) return { ok: false, reason: "wrappers are nested too deeply to check" };
  const program = argv[0];
  if (program === undefined) return { ok: true, subjects: [self] };
  const known = names(program);
  const inner = innerCommands(argv, known, names, depth);
  if (!inner.ok) return inner;
  return { ok: true, subjects: [self, ...inner.subjects] };
}

function innerCommands(
  argv: readonly string[],
  known: readonly string[],
  names: ProgramNames,
  depth: number,
): SubjectsResult {
  const subjects: CommandSubject[] = [];
  const add = (words: readonly string[], open: boolean): SubjectsResult | undefined => {
    if (words.length === 0)
      return { ok: false, reason: `the program "${argv.join(" ")}" runs cannot be determined` };
    const nested = commandSubjects(words, [], names, depth + 1);
    if (!nested.ok) return nested;
    for (const subject of nested.subjects) subjects.push(open ? { ...subject, open } : subject);
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
      const parsed = parseShellScript(script.text);
      if (!parsed.ok)
        return {
          ok: false,
          reason: `the script given to "${argv[0]} -c" cannot be checked: ${parsed.reason}`,
        };
      for (const command of parsed.commands) {
        const nested = commandSubjects(command.argv, command.redirections, names, depth + 1);
        if (!nested.ok) return nested;
        subjects.push(...nested.subjects);
      }
    } else if (name === "find") {
      for (const [words, open] of findActions(argv)) {
        const problem = add(words, open);
        if (problem) return problem;
      }
    } else if (name === "xargs") {
      const start = wrappedCommandStart(argv, WRAPPERS["xargs"] as (typeof WRAPPERS)[string]);
      if (!start.ok) return start;
      const words = start.index === undefined ? ["echo"] : argv.slice(start.index);
      const replace = replacement(argv.slice(1, start.index ?? argv.length));
      const cut = replace === undefined ? -1 : words.findIndex((word, i) => i > 0 && word.includes(replace));
      const problem = add(cut < 0 ? words : words.slice(0, cut), true);
      if (problem) return problem;
    } else {
      const spec = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
      if (!spec) continue;
      const start = wrappedCommandStart(argv, spec);
      if (!start.ok) return start;
      if (start.index === undefined) continue;
      const problem = add(argv.slice(start.index), false);
      if (problem) return problem;
    }
  }
  return { ok: true, subjects };
}

function shellScript(argv: readonly string[]): { ok: true; text: string } | { ok: false; reason: string } {
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
  return { ok: true, text };
}

/** `find` actions that run or delete: each as the known leading words and whether more follow. */
function findActions(argv: readonly string[]): [string[], boolean][] {
  const actions: [string[], boolean][] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "-delete") actions.push([["rm"], true]);
    if (!FIND_EXEC.has(word)) continue;
    let end = i + 1;
    while (end < argv.length && argv[end] !== ";" && argv[end] !== "+") end += 1;
    const words = argv.slice(i + 1, end);
    const cut = words.findIndex((w) => w.includes("{}"));
    const open = cut >= 0 || argv[end] === "+";
    actions.push([cut < 0 ? words : words.slice(0, cut), open]);
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

import { type CommandGlob, compileCommandGlob } from "./command-glob.ts";
import { splitArgv } from "./command-line.ts";
import { type CommandSubject, commandSubjects } from "./command-subjects.ts";
import { memoizeLookup, type ProgramLookup } from "./program-names.ts";
import { parseShellScript, type Redirection } from "./shell-script.ts";

/**
 * The allow/deny rules of a shell tool, and `tool:argument-glob` approval patterns for it, applied
 * to what a command line runs — never to its raw text. A line becomes simple commands (with
 * `shell = true`, parsed as `/bin/sh` would, refusing what cannot be vouched for), each command the
 * programs it runs (through known wrappers), each program its names (see `program-names.ts`).
 * `deny` semantics: refused if any program under any name matches. `allow` semantics: every program
 * must match under a name that cannot be spoofed, and no redirection may touch a file.
 */

/** What a command line runs, or why that cannot be determined. */
export type CommandAnalysis = { ok: true; subjects: CommandSubject[] } | { ok: false; reason: string };

/** Analyses a command line as the tool will run it: through `/bin/sh -c` when `shell` is true. */
export function analyzeCommand(command: string, shell: boolean, lookup: ProgramLookup): CommandAnalysis {
  const names = (program: string) => lookup.names(program).basenames;
  const subjects: CommandSubject[] = [];
  if (shell) {
    const parsed = parseShellScript(command);
    if (!parsed.ok) return parsed;
    for (const simple of parsed.commands) {
      const found = commandSubjects(simple, names);
      if (!found.ok) return found;
      subjects.push(...found.subjects);
    }
    return { ok: true, subjects };
  }
  const split = splitArgv(command);
  if (!split.ok) return { ok: false, reason: split.error };
  return commandSubjects({ argv: split.argv, redirections: [], rewritten: [] }, names);
}

/** How a subject is shown to the model: its argv, with `…` for unknown trailing words. */
export function describeSubject(subject: CommandSubject): string {
  return subject.argv.join(" ") + (subject.open ? " …" : "");
}

/** What an allow list cannot vouch for: a program none of its globs match, or a file redirection. */
export type Unvouched =
  | { kind: "program"; subject: CommandSubject }
  | { kind: "redirection"; redirection: Redirection };

/** Compiled globs with both semantics. */
export interface CommandPatterns {
  /** The first glob matching some program of the command under any of its names (deny). */
  anyMatch(
    subjects: readonly CommandSubject[],
    lookup: ProgramLookup,
  ): { glob: string; subject: CommandSubject } | undefined;
  /** The first program no glob vouches for, or a redirection to a file (allow); undefined when all pass. */
  firstUnvouched(subjects: readonly CommandSubject[], lookup: ProgramLookup): Unvouched | undefined;
}

/** Compiles globs; programs are named through the lookup given to each match. */
export function compileCommandPatterns(globs: readonly string[]): CommandPatterns {
  const compiled: CommandGlob[] = globs.map(compileCommandGlob);
  const texts = (subject: CommandSubject, names: readonly string[]) =>
    names.map((name) => [name, ...subject.argv.slice(1)].join(" "));
  return {
    anyMatch(subjects, lookup) {
      for (const subject of subjects) {
        const candidates = texts(subject, lookup.names(subject.argv[0] ?? "").deny);
        for (const glob of compiled) {
          const hit = candidates.some((text) =>
            subject.open ? glob.matchesSomeCompletion(text) : glob.matches(text),
          );
          if (hit) return { glob: glob.source, subject };
        }
      }
      return undefined;
    },
    firstUnvouched(subjects, lookup) {
      for (const subject of subjects) {
        const file = subject.redirections.find((redirection) => !redirection.harmless);
        if (file) return { kind: "redirection", redirection: file };
        const candidates = texts(subject, lookup.names(subject.argv[0] ?? "").allow);
        const vouched = compiled.some((glob) =>
          candidates.some((text) => (subject.open ? glob.matchesEveryCompletion(text) : glob.matches(text))),
        );
        if (!vouched) return { kind: "program", subject };
      }
      return undefined;
    },
  };
}

/** A compiled rule set; build once per tool. */
export interface CommandPolicy {
  /** Whether any rule is configured (without rules nothing is checked). */
  readonly active: boolean;
  /** Undefined when the command line may run, else the reason phrased for the model. */
  check(command: string): string | undefined;
}

/** Compiles a tool's allow/deny globs; an empty `allow` allows everything not denied. */
export function compileCommandPolicy(
  rules: { allow?: readonly string[]; deny?: readonly string[]; shell: boolean },
  lookup: ProgramLookup,
): CommandPolicy {
  const allow = rules.allow ?? [];
  const deny = rules.deny ?? [];
  const allowed = compileCommandPatterns(allow);
  const denied = compileCommandPatterns(deny);
  const active = allow.length > 0 || deny.length > 0;
  return {
    active,
    check(command) {
      if (!active) return undefined;
      const memo = memoizeLookup(lookup);
      const analysis = analyzeCommand(command, rules.shell, memo);
      if (!analysis.ok)
        return `refused because the tool's allow/deny rules cannot check this command: ${analysis.reason}`;
      const hit = denied.anyMatch(analysis.subjects, memo);
      if (hit) return `command "${describeSubject(hit.subject)}" is denied by the rule "${hit.glob}"`;
      if (allow.length === 0) return undefined;
      const problem = allowed.firstUnvouched(analysis.subjects, memo);
      if (problem === undefined) return undefined;
      const list = allow.map((glob) => `"${glob}"`).join(", ");
      if (problem.kind === "redirection") {
        const { op, target } = problem.redirection;
        return `the redirection "${op} ${target}" is refused: under allow rules only /dev/null and descriptor duplication (2>&1) may be redirected`;
      }
      return `command "${describeSubject(problem.subject)}" is not allowed: it matches none of the allow rules ${list}`;
    },
  };
}

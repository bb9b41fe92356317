import { realpathSync } from "node:fs";
import { basename, isAbsolute } from "node:path";
import { resolveExecutable } from "./resolve-executable.ts";

/**
 * The names one program goes by, for matching rules. `deny` matches any of them: as written, its
 * basename, the file PATH lookup finds, that file's real path and its basename — so `/bin/rm`,
 * `./rm-link` and `rm` all count as `rm`. `allow` matches only names that cannot be spoofed: as
 * written, the file a bare name resolves to, and the basename of an absolute path only when PATH
 * lookup of that basename finds the same file (`/usr/bin/ls` may pass as `ls`, `/tmp/x/ls` not).
 * A program name holding whitespace gets no `allow` names at all: globs match argv joined by
 * spaces, so `'ls /../usr/bin/id'` (a directory named `ls ` in the working directory) would
 * otherwise pass `ls *`.
 */
export interface ProgramNameSets {
  deny: readonly string[];
  allow: readonly string[];
  /** Basenames used to recognise wrappers (`env`, `sh`, `xargs` …). */
  basenames: readonly string[];
}

/** Computes a program's name sets; built once per tool from the child's PATH and working directory. */
export interface ProgramLookup {
  names(program: string): ProgramNameSets;
}

/** Remembers a lookup's answers, for the length of one check (files on PATH may change later). */
export function memoizeLookup(lookup: ProgramLookup): ProgramLookup {
  const seen = new Map<string, ProgramNameSets>();
  return {
    names(program) {
      let sets = seen.get(program);
      if (!sets) {
        sets = lookup.names(program);
        seen.set(program, sets);
      }
      return sets;
    },
  };
}

/** A lookup resolving programs the way the tool will run them (see `resolveExecutable`). */
export function createProgramLookup(childPath: string | undefined, cwd: string | undefined): ProgramLookup {
  const real = (path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  };
  return {
    names(program) {
      const bare = !program.includes("/");
      const resolved = resolveExecutable(program, childPath, cwd);
      const resolvedReal = real(resolved);
      const base = basename(program);
      const deny = unique([program, base, resolved, resolvedReal, resolvedReal && basename(resolvedReal)]);
      if (/\s/.test(program))
        return { deny, allow: [], basenames: unique([base, resolvedReal && basename(resolvedReal)]) };
      const allow = [program];
      if (bare && resolved) allow.push(resolved);
      if (!bare && isAbsolute(program) && resolvedReal !== undefined) {
        const viaPath = real(resolveExecutable(base, childPath, cwd));
        if (viaPath === resolvedReal) allow.push(base);
      }
      return {
        deny,
        allow: unique(allow),
        basenames: unique([base, resolvedReal && basename(resolvedReal)]),
      };
    },
  };
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ""))];
}

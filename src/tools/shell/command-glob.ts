/**
 * Command globs (SPEC §12): `*` matches any characters, spaces and `/` included; every other
 * character is literal; the glob must match the whole text. Besides exact matching, a command
 * whose trailing words are unknown (`xargs rm`, `find -exec rm {} +`) can be asked whether the glob
 * matches *some* completion (deny: refuse if it might) or *every* completion (allow: permit only if
 * it surely does). Matching walks the glob's positions as a set: linear in the text, never
 * exponential.
 */

/** A compiled command glob. */
export interface CommandGlob {
  source: string;
  /** Whether the glob matches `text` exactly. */
  matches(text: string): boolean;
  /** Whether it matches `text` or some `text + " " + anything`. */
  matchesSomeCompletion(text: string): boolean;
  /** Whether it matches `text` and every `text + " " + anything`. */
  matchesEveryCompletion(text: string): boolean;
  /** Whether it matches some text that starts with `prefix` (`prefix` itself included). */
  matchesSomeExtension(prefix: string): boolean;
}

/** Compiles one glob. */
export function compileCommandGlob(source: string): CommandGlob {
  const closure = (states: Set<number>): Set<number> => {
    for (const state of states) if (source[state] === "*") states.add(state + 1);
    return states;
  };
  const run = (text: string): Set<number> => {
    let states = closure(new Set([0]));
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      const next = new Set<number>();
      for (const state of states) {
        if (source[state] === "*") next.add(state);
        else if (source[state] === ch) next.add(state + 1);
      }
      states = closure(next);
      if (states.size === 0) break;
    }
    return states;
  };
  const starsOnlyFrom = (state: number) => state < source.length && /^\*+$/.test(source.slice(state));
  return {
    source,
    matches: (text) => run(text).has(source.length),
    matchesSomeCompletion: (text) => run(text).has(source.length) || run(`${text} `).size > 0,
    matchesEveryCompletion: (text) =>
      run(text).has(source.length) && [...run(`${text} `)].some((state) => starsOnlyFrom(state)),
    matchesSomeExtension: (prefix) => run(prefix).size > 0,
  };
}

/**
 * The allow/deny rules of a shell tool (SPEC §12 "Globs"): `*` matches any characters, spaces and
 * `/` included, against argv joined by single spaces; every other character is literal; deny wins;
 * no allow list means anything not denied.
 */

/** A compiled rule set; build once per tool. */
export interface CommandPolicy {
  /** Undefined when the command may run, else the reason phrased for the model. */
  check(argv: readonly string[]): string | undefined;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/** Compiles allow/deny globs; `allow` undefined or empty allows everything not denied. */
export function compileCommandPolicy(
  allow: readonly string[] = [],
  deny: readonly string[] = [],
): CommandPolicy {
  const allowRules = allow.map((glob) => ({ glob, re: globToRegExp(glob) }));
  const denyRules = deny.map((glob) => ({ glob, re: globToRegExp(glob) }));
  return {
    check(argv) {
      const joined = argv.join(" ");
      const denied = denyRules.find((rule) => rule.re.test(joined));
      if (denied) return `command "${joined}" is denied by the rule "${denied.glob}"`;
      if (allowRules.length > 0 && !allowRules.some((rule) => rule.re.test(joined))) {
        const list = allowRules.map((rule) => `"${rule.glob}"`).join(", ");
        return `command "${joined}" is not allowed: it matches none of the allow rules ${list}`;
      }
      return undefined;
    },
  };
}

/** Whether any rule is configured at all (then shell substitutions cannot be vouched for). */
export function hasRules(allow: readonly string[] = [], deny: readonly string[] = []): boolean {
  return allow.length > 0 || deny.length > 0;
}

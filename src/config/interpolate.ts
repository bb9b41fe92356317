import { ConfigError } from "../spec/errors.ts";

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A string with its `${VAR}` references resolved, and the secret values that went into it. */
export interface Interpolated {
  value: string;
  /** Values taken from the environment; the redactor must hide them everywhere. */
  secrets: string[];
}

/**
 * Resolves `${VAR}` and `${VAR:-default}` in a config value at the moment it is used.
 * An unset variable without a default is a configuration error (exit 2) naming the variable and
 * the key that needs it; the error never contains any resolved value.
 */
export function interpolate(
  text: string,
  keyPath: string,
  env: Record<string, string | undefined> = process.env,
  file = "configuration",
): Interpolated {
  const secrets: string[] = [];
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== "") {
      secrets.push(found);
      return found;
    }
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return "";
  });
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((name) => ({
        file,
        path: keyPath,
        message: `environment variable ${name} is not set`,
        expected: `${name} to be set (export ${name}=...)`,
        found: "nothing",
      })),
      `environment variable ${missing.join(", ")} is not set (needed by ${keyPath})`,
    );
  }
  return { value, secrets };
}

/** Whether a config value refers to environment variables at all. */
export function hasReferences(text: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(text);
}

/** One `${VAR}` reference found in a config value. */
export interface Reference {
  name: string;
  /** Whether it has a `:-default`, so an unset variable is not an error. */
  hasDefault: boolean;
}

/** Every well-formed `${VAR}` / `${VAR:-default}` reference in a value, in order. */
export function listReferences(text: string): Reference[] {
  return [...text.matchAll(REFERENCE)].map((match) => ({
    name: match[1] as string,
    hasDefault: match[2] !== undefined,
  }));
}

const WELL_FORMED = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/;

/**
 * Why the `${…}` syntax of a value is malformed (`${` never closed, or a name that is not
 * `[A-Za-z_][A-Za-z0-9_]*`), or undefined when every reference is well formed. Checked at load
 * time; whether the variable is set is not (see `interpolate`). The reason never quotes the value.
 */
export function referenceSyntaxError(text: string): string | undefined {
  for (let at = text.indexOf("${"); at >= 0; at = text.indexOf("${", at + 2)) {
    const rest = text.slice(at);
    if (WELL_FORMED.test(rest)) continue;
    if (!rest.includes("}")) return `"\${" at character ${at + 1} is never closed by "}"`;
    return `"\${" at character ${at + 1} does not start a reference \${NAME} or \${NAME:-default} (names are letters, digits and _, not starting with a digit)`;
  }
  return undefined;
}

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

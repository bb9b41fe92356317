/**
 * Key paths address a value inside a parsed configuration: table keys as strings, array indices
 * as numbers. Displayed as `agents.ops.tools[2]`, quoting keys that are not bare TOML keys.
 */

/** One step of a key path. */
export type PathSegment = string | number;

/** A key path, from the document root. */
export type KeyPath = readonly PathSegment[];

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** The dotted, human-readable form of a key path. */
export function formatKeyPath(path: KeyPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else {
      const key = BARE_KEY.test(segment) ? segment : JSON.stringify(segment);
      text += text === "" ? key : `.${key}`;
    }
  }
  return text;
}

/** The value found at `path` inside a parsed document, or undefined when any step is missing. */
export function valueAt(root: unknown, path: KeyPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** Whether a parsed value is a TOML table (a plain object, not an array or date). */
export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

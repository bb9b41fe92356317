import { isTable, type KeyPath } from "./key-path.ts";

/** Keys that name JavaScript's object machinery; a config key spelled so would be lost or misread. */
const RESERVED = new Set(["__proto__"]);

/**
 * Paths of every table key in a parsed TOML value that is reserved (`__proto__`), at any depth:
 * `[agents.__proto__]`, `vars = { __proto__ = "x" }`. Schema validation would drop such a key
 * without a word, so the loader reports each one as an error instead.
 */
export function reservedKeyPaths(value: unknown, path: KeyPath = []): KeyPath[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => reservedKeyPaths(item, [...path, i]));
  if (!isTable(value)) return [];
  return Object.keys(value).flatMap((key) => [
    ...(RESERVED.has(key) ? [[...path, key]] : []),
    ...reservedKeyPaths(value[key], [...path, key]),
  ]);
}

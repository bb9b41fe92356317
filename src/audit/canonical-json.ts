/**
 * Canonical JSON: object keys sorted by code unit at every depth, no whitespace, otherwise exactly
 * `JSON.stringify` semantics (`toJSON` honoured, `undefined` and functions dropped from objects and
 * turned into `null` in arrays, non-finite numbers as `null`). Hashing this form makes a record's
 * hash independent of key order, so a record read back from disk hashes as it did when written.
 * An own `__proto__` key (as `JSON.parse` creates one) is kept as a key, never taken as a prototype.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

/**
 * A copy of a JSON value whose objects have their keys in sorted order (objects already sorted
 * and holding only primitives are reused as they are): `JSON.stringify` of it is the canonical JSON.
 */
export function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const withToJson = value as { toJSON?: (key?: string) => unknown };
  if (typeof withToJson.toJSON === "function") return sortKeys(withToJson.toJSON());
  if (Array.isArray(value)) return value.map(sortKeys);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  let flat = true;
  let protoKey = false;
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && (keys[i - 1] as string) > (keys[i] as string)) sorted = false;
    if (keys[i] === "__proto__") protoKey = true;
    const item = record[keys[i] as string];
    if (item !== null && typeof item === "object") flat = false;
  }
  if (sorted && flat) return record;
  if (!sorted) sortStrings(keys);
  const out: Record<string, unknown> = protoKey ? Object.create(null) : {};
  for (const key of keys) out[key] = sortKeys(record[key]);
  return out;
}

/**
 * Sorts strings by code unit in place. Insertion sort for the short key lists of records (several
 * times faster than `Array.prototype.sort` here); the built-in sort beyond 32 items.
 */
export function sortStrings(items: string[]): string[] {
  if (items.length > 32) return items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as string;
    let j = i - 1;
    while (j >= 0 && (items[j] as string) > item) {
      items[j + 1] = items[j] as string;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}

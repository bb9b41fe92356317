/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, otherwise exactly
 * `JSON.stringify` semantics (`toJSON` honoured, `undefined` and functions dropped from objects and
 * turned into `null` in arrays). Hashing this form makes a record's hash independent of key order,
 * so a record read back from disk hashes exactly as it did when written.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? "null";
}

function write(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      throw new TypeError("canonicalJson: BigInt is not JSON");
    case "object":
      break;
    default:
      return undefined;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return write(withToJson.toJSON());
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += write(value[i]) ?? "null";
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = write(record[key]);
    if (item === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The entry called `name` in a table keyed by user-chosen names (agents, tools, providers, flows,
 * schedules, prices, vars), or undefined. Only own entries count: `toString`, `constructor` or
 * `__proto__` never resolve to something inherited from `Object.prototype`, whatever object the
 * table is (the loader builds them with a null prototype; a library host may pass plain objects).
 */
export function namedEntry<T>(table: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

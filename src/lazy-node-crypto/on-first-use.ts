import type * as NodeCrypto from "node:crypto";

/**
 * `nodeCrypto()` of the compiled CLI (scripts/build.ts puts this module in place of
 * `index.ts`): Bun resolves this `require` of a built-in module when it is first called, not
 * when the executable starts. Not for the library: Node's ES modules have no `require`.
 */
export function nodeCrypto(): typeof NodeCrypto {
  return require("node:crypto") as typeof NodeCrypto;
}

import * as cryptoModule from "node:crypto";

/**
 * The node:crypto module, for code on `agentry run`'s path to its first model request that
 * needs it only sometimes (the state key's sealing, used when a run defers): call `nodeCrypto()`
 * where it is used, never at module load. In the library (and under `bun test`) this is a plain
 * import. The compiled CLI replaces this module with `on-first-use.ts` (scripts/build.ts), which
 * loads node:crypto when first called: loading it pulls in Bun's JS stream machinery.
 */
export function nodeCrypto(): typeof cryptoModule {
  return cryptoModule;
}

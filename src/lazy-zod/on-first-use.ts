import type * as Zod from "zod";

/**
 * `zod()` of the compiled CLI (scripts/build.ts puts this module in place of `index.ts`): the
 * bundler turns this `require` of zod's ES module into a lazy initialisation, so zod is evaluated
 * when first called, not when the executable starts. It is the same module instance every
 * `import { z } from "zod"` of the binary gets. Not for the library: Node's ES modules have no
 * `require`, and a `createRequire` would load zod's CommonJS copy, a second instance.
 */
export function zod(): typeof Zod {
  return require("zod") as typeof Zod;
}

import type { z as Z } from "zod";
import { zod } from "./index.ts";

/**
 * A schema built on first use, like a module-level `z.lazy(() => …)`, but without loading zod
 * before then: `const schema = lazySchema((z) => z.object(…))`, then `schema().safeParse(…)`.
 * The schema is a constant; it is built once, as `z.lazy` builds its own once.
 */
export function lazySchema<T>(build: (z: typeof Z) => T): () => T {
  let schema: T | undefined;
  return () => {
    schema ??= build(zod().z);
    return schema;
  };
}

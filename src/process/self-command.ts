import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * How to start agentry again as a child process (`agentry sandbox check` runs its probes this way,
 * inside the sandbox): the compiled binary is `process.execPath` itself (its entry script lives in
 * Bun's embedded `/$bunfs/` file system); under bun in a checkout it is bun with `cmd/agentry.ts`.
 * Undefined when neither applies (the library embedded in another program).
 */
export function selfCommand(
  where: { main: string | undefined; moduleUrl: string } = {
    main: process.argv[1],
    moduleUrl: import.meta.url,
  },
): string[] | undefined {
  const { main, moduleUrl } = where;
  if (main === undefined) return undefined;
  if (main.startsWith("/$bunfs/") || main.includes("~BUN")) return [process.execPath];
  if (!moduleUrl.startsWith("file:")) return undefined;
  const entry = fileURLToPath(new URL("../../cmd/agentry.ts", moduleUrl));
  return existsSync(entry) ? [process.execPath, entry] : undefined;
}

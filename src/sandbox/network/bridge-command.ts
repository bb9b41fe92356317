import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The hidden subcommand `cmd/agentry.ts` dispatches before loading the CLI. */
export const BRIDGE_SUBCOMMAND = "__sandbox-bridge";

/** The entry script of a running Bun program (`Bun.main`), undefined on Node. */
function bunMain(): string | undefined {
  return typeof Bun === "undefined" ? undefined : Bun.main;
}

/**
 * How to start the bridge inside a sandbox: agentry re-executes itself (no socat, nothing to
 * install). In the compiled binary (`Bun.main` is inside Bun's embedded `/$bunfs/` file system;
 * `import.meta.url` of a bundled module is NOT, it keeps the source path) `process.execPath` IS
 * agentry. Under bun in a checkout it is bun, which gets `cmd/agentry.ts`. Undefined otherwise
 * (the library embedded in another program on Node), where the caller must refuse the
 * allow-listed network.
 */
export function bridgeCommand(
  where: { main: string | undefined; moduleUrl: string } = { main: bunMain(), moduleUrl: import.meta.url },
): string[] | undefined {
  const { main, moduleUrl } = where;
  if (main === undefined) return undefined;
  if (main.startsWith("/$bunfs/") || main.includes("~BUN")) return [process.execPath, BRIDGE_SUBCOMMAND];
  if (!moduleUrl.startsWith("file:")) return undefined;
  const entry = fileURLToPath(new URL("../../../cmd/agentry.ts", moduleUrl));
  return existsSync(entry) ? [process.execPath, entry, BRIDGE_SUBCOMMAND] : undefined;
}

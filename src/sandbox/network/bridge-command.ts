import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The hidden subcommand `cmd/agentry.ts` dispatches before loading the CLI. */
export const BRIDGE_SUBCOMMAND = "__sandbox-bridge";

/**
 * How to start the bridge inside a sandbox: agentry re-executes itself (no socat, nothing to
 * install). In the compiled binary `process.execPath` IS agentry; under `bun cmd/agentry.ts` (a
 * checkout) it is bun, which gets the entry script. Undefined when neither holds (the library
 * embedded in another program on Node), where the caller must refuse the allow-listed network.
 */
export function bridgeCommand(moduleUrl = import.meta.url): string[] | undefined {
  if (moduleUrl.includes("/$bunfs/") || moduleUrl.includes("~BUN")) {
    return [process.execPath, BRIDGE_SUBCOMMAND];
  }
  if (typeof Bun === "undefined" || !moduleUrl.startsWith("file:")) return undefined;
  const entry = fileURLToPath(new URL("../../../cmd/agentry.ts", moduleUrl));
  return existsSync(entry) ? [process.execPath, entry, BRIDGE_SUBCOMMAND] : undefined;
}

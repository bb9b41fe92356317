import { selfCommand } from "../../process/self-command.ts";

/** The hidden subcommand `cmd/agentry.ts` dispatches before loading the CLI. */
export const BRIDGE_SUBCOMMAND = "__sandbox-bridge";

/**
 * How to start the bridge inside a sandbox: agentry re-executes itself (no socat, nothing to
 * install) — the compiled binary, or bun with `cmd/agentry.ts` in a checkout (`selfCommand`).
 * Undefined when neither applies (the library embedded in another program), where the caller
 * must refuse the allow-listed network.
 */
export function bridgeCommand(self = selfCommand()): string[] | undefined {
  return self ? [...self, BRIDGE_SUBCOMMAND] : undefined;
}

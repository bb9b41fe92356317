import { CapabilityUnavailableError } from "../spec/errors.ts";

/** Fails a command whose capability this build does not include yet (exit 2). */
export function unavailable(command: string, capability: string): never {
  throw new CapabilityUnavailableError(
    `\`agentry ${command}\` is not available in this build: ${capability}`,
    {
      command,
      capability,
    },
  );
}

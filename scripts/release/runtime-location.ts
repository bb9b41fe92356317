/**
 * Finds the Bun runtime a target's executable embeds, for the SBOM. Cross targets: Bun downloads
 * the `@oven/bun-<platform>` tarball from the npm registry and keeps the extracted executable in
 * its install cache as `bun-<platform>-v<version>` (it does not verify that download itself, so
 * recording its hash is worth it). The host target embeds the running Bun (`process.execPath`).
 */

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { sha256File } from "./checksums.ts";
import type { RuntimeComponent } from "./sbom.ts";
import type { ReleaseTarget } from "./targets.ts";

/** Bun's install cache: `$BUN_INSTALL_CACHE_DIR`, else `$BUN_INSTALL/install/cache`, else `~/.bun/install/cache`. */
export function bunInstallCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env["BUN_INSTALL_CACHE_DIR"] ?? join(env["BUN_INSTALL"] ?? join(homedir(), ".bun"), "install", "cache")
  );
}

const lockEntries = z.object({
  packages: z.record(
    z.string(),
    z.looseObject({ version: z.string().optional(), integrity: z.string().optional() }),
  ),
});

function lockIntegrity(lock: unknown, packageName: string, version: string): string | undefined {
  const parsed = lockEntries.safeParse(lock);
  const entry = parsed.success ? parsed.data.packages[`node_modules/${packageName}`] : undefined;
  return entry?.version === version ? entry.integrity : undefined;
}

/**
 * Describes the runtime embedded for `target`. The executable hash is present when the file
 * could be located (cache entry, or the running Bun for a host-matching target); the tarball
 * integrity when package-lock.json records that `@oven/bun-*` package at this Bun version.
 */
export async function locateRuntime(
  target: ReleaseTarget,
  bunVersion: string,
  lock: unknown,
): Promise<RuntimeComponent> {
  const cached = join(bunInstallCacheDir(), `${target.runtimePackage.replace("@oven/", "")}-v${bunVersion}`);
  const isHost =
    target.os === process.platform &&
    target.arch === process.arch &&
    target.libc === "glibc" &&
    target.cpu === "default";
  const executable = existsSync(cached) ? cached : isHost ? process.execPath : undefined;
  return {
    target: target.name,
    packageName: target.runtimePackage,
    version: bunVersion,
    integrity: lockIntegrity(lock, target.runtimePackage, bunVersion),
    executableSha256: executable ? await sha256File(executable) : undefined,
  };
}

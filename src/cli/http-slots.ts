/** Bun keeps at most this many fetch requests in flight unless told otherwise at start-up. */
const BUN_DEFAULT_MAX_REQUESTS = 256;

/**
 * Bun reads `BUN_CONFIG_MAX_HTTP_REQUESTS` only when the process starts, so a batch that needs
 * more concurrent provider streams than the default re-executes itself once with it raised.
 * Returns only when no re-exec is needed (or possible); `execve` replaces the process otherwise.
 */
export function ensureHttpSlots(concurrency: number, env: NodeJS.ProcessEnv = process.env): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (concurrency <= BUN_DEFAULT_MAX_REQUESTS / 2 || env["BUN_CONFIG_MAX_HTTP_REQUESTS"] || !execve) return;
  if (typeof process.versions["bun"] !== "string") return;
  const slots = String(Math.min(65_535, Math.max(BUN_DEFAULT_MAX_REQUESTS, concurrency * 2)));
  execve(process.execPath, [process.execPath, ...process.argv.slice(2)], {
    ...env,
    BUN_CONFIG_MAX_HTTP_REQUESTS: slots,
  });
}

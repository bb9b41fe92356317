import { readdirSync, readFileSync } from "node:fs";

/** Pids of live (non-zombie) processes whose argv is exactly `argv`, read from /proc. */
export function processesWithArgv(argv: readonly string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (readFileSync(`/proc/${name}/cmdline`, "utf8") === wanted) found.push(Number(name));
    } catch {
      /* it ended while we looked */
    }
  }
  return found;
}

/** Polls `check` every 20 ms until it holds or `ms` passed; returns whether it held. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}

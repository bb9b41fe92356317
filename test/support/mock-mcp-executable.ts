import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

/** The mock MCP server compiled into one executable, and how to remove it. */
export interface MockMcpExecutable {
  path: string;
  remove(): void;
}

/**
 * The mock MCP server (`mock-mcp-server.ts`) as one self-contained executable under /var/tmp, for
 * servers run in a sandbox: every sandbox covers /tmp with a private tmpfs, so `bun
 * mock-mcp-server.ts` from a checkout under /tmp (bun, the script and its node_modules all there)
 * would not be found inside it. Build once per test file (≈ 1–2 s).
 */
export function compileMockMcpServer(): MockMcpExecutable {
  const dir = mkdtempSync("/var/tmp/agentry-mock-mcp-");
  const path = join(dir, "mock-mcp-server");
  const built = spawnSync(
    process.execPath,
    ["build", "--compile", join(import.meta.dir, "mock-mcp-server.ts"), "--outfile", path],
    { encoding: "utf8" },
  );
  if (built.status !== 0) throw new Error(`mock MCP server build failed: ${built.stderr}`);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `bun scripts/release/size-report.ts [--targets a,b] [--out DIR]`: runs an unsigned snapshot
 * release and prints a Markdown table of executable and archive sizes per target, compared with
 * the 42 MB Go binary agentry replaces. Used to write docs/benchmarks/size.md.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sourceDateEpoch } from "../release.ts";
import { type ReleaseArtifact, runRelease } from "./pipeline.ts";

/** Size of the seed's Go binary, the baseline the table compares with. */
export const GO_SEED_BYTES = 42e6;

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** Renders the size table: one row per artifact, sizes in MB (10^6 bytes). */
export function sizeTable(artifacts: readonly ReleaseArtifact[]): string {
  const rows = artifacts.map((a) => {
    const kind = a.file.endsWith(".zip") ? "zip" : "tar.gz";
    return `| ${a.target} | ${a.bunTarget} | ${mb(a.binaryBytes)} | ${mb(a.archiveBytes)} (${kind}) | ${(a.binaryBytes / GO_SEED_BYTES).toFixed(2)}× | ${(a.archiveBytes / a.binaryBytes).toFixed(2)} |`;
  });
  return [
    "| target | bun target | executable MB | archive MB | executable vs Go 42 MB | archive/executable |",
    "|---|---|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { targets: { type: "string" }, out: { type: "string" } },
  });
  const root = join(import.meta.dir, "../..");
  const out = values.out ?? mkdtempSync(join(tmpdir(), "agentry-size-"));
  const targets = values.targets?.split(",").map((name) => name.trim());
  try {
    const result = await runRelease({
      root,
      configFile: join(root, ".goreleaser-like.yml"),
      outDir: out,
      ...(targets ? { targets } : {}),
      epoch: sourceDateEpoch(),
      log: (line) => console.error(line),
    });
    console.log(`agentry ${result.version} (${result.commit}), Bun ${Bun.version}\n`);
    console.log(sizeTable(result.artifacts));
  } finally {
    if (values.out === undefined) rmSync(out, { recursive: true, force: true });
  }
}

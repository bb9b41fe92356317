/**
 * Stages one target's files (the executable plus the configured extra files) with normalised
 * permissions and packs them as the target's archive: `tar.gz` through GNU tar, `zip` through our
 * own writer. Both are deterministic for a fixed SOURCE_DATE_EPOCH.
 */

import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeTarGz } from "./tar-gz.ts";
import type { ReleaseTarget } from "./targets.ts";
import { writeZip, type ZipFileSource } from "./zip.ts";

/**
 * Expands the config's `archives.files` globs against `root`: sorted, de-duplicated relative paths
 * of regular files. A pattern that matches nothing is skipped (LICENSE may not exist yet).
 */
export function expandFiles(root: string, patterns: readonly string[]): string[] {
  const found = new Set<string>();
  for (const pattern of patterns) {
    for (const path of new Bun.Glob(pattern).scanSync({ cwd: root, onlyFiles: true, dot: false })) {
      found.add(path.split("\\").join("/"));
    }
  }
  return [...found].sort();
}

/**
 * Copies the extra files into `stageDir` keeping their relative paths, then sets every mode
 * explicitly (dirs and the executable 0755, other files 0644) so the umask of the build host
 * cannot leak into the archive.
 */
export function stageExtraFiles(
  root: string,
  stageDir: string,
  files: readonly string[],
  binaryFile: string,
): void {
  for (const file of files) {
    const to = join(stageDir, file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, file), to);
  }
  normaliseModes(stageDir, binaryFile);
}

function normaliseModes(dir: string, binaryFile: string, prefix = ""): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) normaliseModes(path, binaryFile, `${prefix}${name}/`);
    else chmodSync(path, `${prefix}${name}` === binaryFile ? 0o755 : 0o644);
  }
}

/** Relative paths under `dir`, directories with a trailing `/`, sorted by full path. */
export function listTree(dir: string, prefix = ""): string[] {
  const paths: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) paths.push(`${prefix}${name}/`, ...listTree(path, `${prefix}${name}/`));
    else paths.push(`${prefix}${name}`);
  }
  return paths.sort();
}

/**
 * Packs a staged target. `stageRoot/<archiveBase>/` holds the files; with `wrap` the archive has
 * that directory at its top, otherwise the files sit at the archive root.
 */
export async function packTarget(
  target: ReleaseTarget,
  stageRoot: string,
  outfile: string,
  options: { wrap: boolean; epoch: number },
): Promise<void> {
  const contentDir = join(stageRoot, target.archiveBase);
  const cwd = options.wrap ? stageRoot : contentDir;
  const top = options.wrap ? [`${target.archiveBase}/`] : [];
  const inner = listTree(contentDir, options.wrap ? `${target.archiveBase}/` : "");
  if (target.format === "tar.gz") {
    const entries = options.wrap ? [target.archiveBase] : readdirSync(contentDir).sort();
    await writeTarGz({ cwd, entries, outfile, epoch: options.epoch });
    return;
  }
  const sources: ZipFileSource[] = [...top, ...inner].map((name) => {
    if (name.endsWith("/")) return { name, mode: 0o755 };
    const mode = statSync(join(cwd, name)).mode & 0o777;
    return { name, path: join(cwd, name), mode };
  });
  await writeZip(sources, outfile, options.epoch);
}

/**
 * Deterministic `.tar.gz` archives with the system's GNU tar and gzip: entries sorted by name,
 * every mtime set to SOURCE_DATE_EPOCH, owner and group 0, and `gzip -n` so the gzip header has
 * neither a file name nor a time. Identical inputs give byte-identical archives.
 */

import { ReleaseError } from "./release-error.ts";

let gnuTar: Promise<string> | undefined;

async function findGnuTar(): Promise<string> {
  for (const candidate of ["tar", "gtar"]) {
    const probe = Bun.spawnSync([candidate, "--version"], { stdout: "pipe", stderr: "ignore" });
    if (probe.success && probe.stdout.toString().includes("GNU tar")) return candidate;
  }
  throw new ReleaseError("GNU tar is required for reproducible tar.gz archives (tried `tar`, `gtar`)", {
    step: "archive",
  });
}

/** The GNU tar executable (`tar`, else `gtar` as Homebrew names it); found once per process. */
export function gnuTarCommand(): Promise<string> {
  gnuTar ??= findGnuTar();
  return gnuTar;
}

export interface TarGzOptions {
  /** Directory the entries are relative to. */
  cwd: string;
  /** Entries (files or directories, recursed) inside `cwd`. */
  entries: readonly string[];
  outfile: string;
  /** Seconds since the epoch written as every entry's mtime. */
  epoch: number;
  /** gzip level 1–9; 6 is gzip's default and about twice as fast as 9 for 1 % more size. */
  level?: number;
}

/** Writes a deterministic `.tar.gz`. Throws `ReleaseError` with tar's or gzip's stderr on failure. */
export async function writeTarGz(options: TarGzOptions): Promise<void> {
  const tar = Bun.spawn(
    [
      await gnuTarCommand(),
      "--format=gnu",
      "--sort=name",
      `--mtime=@${options.epoch}`,
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "-cf",
      "-",
      "-C",
      options.cwd,
      "--",
      ...options.entries,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const gzip = Bun.spawn(["gzip", "-n", `-${options.level ?? 6}`], {
    stdin: tar.stdout,
    stdout: Bun.file(options.outfile),
    stderr: "pipe",
  });
  const [tarCode, gzipCode, tarErr, gzipErr] = await Promise.all([
    tar.exited,
    gzip.exited,
    new Response(tar.stderr).text(),
    new Response(gzip.stderr).text(),
  ]);
  if (tarCode !== 0 || gzipCode !== 0) {
    throw new ReleaseError(`archiving ${options.outfile} failed: ${(tarErr + gzipErr).trim()}`, {
      step: "archive",
      tarCode,
      gzipCode,
    });
  }
}

import { realpathSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { sha256Hex } from "../digest/index.ts";
import { lazySchema } from "../lazy-zod/lazy-schema.ts";
import { readJsonIfExists, writeJsonAtomic } from "./json-file.ts";

/** Built on first use (`lazySchema`): only `--continue` reads a pointer back (start-up, docs/benchmarks/turns.md). */
const pointerSchema = lazySchema((z) =>
  z.object({
    cwd: z.string(),
    session: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
    /** Whether agentry named the session itself (a run without `--session`). */
    auto: z.boolean(),
    updated: z.string(),
  }),
);

/** The session a directory used last. */
export type DirectorySession = z.infer<ReturnType<typeof pointerSchema>>;

/** A directory as it is keyed: its real path, so `.`, a symlink and the full path agree. */
export function canonicalDirectory(dir: string): string {
  const absolute = resolve(dir);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/**
 * Which session each working directory used last (`agentry run --continue`), one small file per
 * directory under `<state>/sessions/by-dir/` named by a hash of the directory's real path. A
 * pointer whose recorded directory differs from the one asked about (a hash collision, an edited
 * file) or that does not parse counts as no pointer.
 */
export class DirectorySessions {
  constructor(private readonly stateDir: string) {}

  private pathOf(dir: string): string {
    const digest = sha256Hex(dir).slice(0, 32);
    return join(this.stateDir, "sessions", "by-dir", `${digest}.json`);
  }

  /** The session `cwd` used last, or undefined. */
  last(cwd: string): DirectorySession | undefined {
    const dir = canonicalDirectory(cwd);
    let raw: unknown;
    try {
      raw = readJsonIfExists(this.pathOf(dir));
    } catch {
      return undefined;
    }
    const parsed = pointerSchema().safeParse(raw);
    return parsed.success && parsed.data.cwd === dir ? parsed.data : undefined;
  }

  /**
   * Records `session` as the last one of `cwd`. The previous automatic session of the directory
   * (`auto`, named by agentry) is deleted when another replaces it, so runs without `--session`
   * keep one conversation per directory rather than one file per run.
   */
  remember(cwd: string, session: string, auto: boolean, sessionPath: (id: string) => string): void {
    const dir = canonicalDirectory(cwd);
    const previous = this.last(dir);
    writeJsonAtomic(this.pathOf(dir), {
      cwd: dir,
      session,
      auto,
      updated: new Date().toISOString(),
    } satisfies DirectorySession);
    if (previous?.auto && previous.session !== session)
      rmSync(sessionPath(previous.session), { force: true });
  }
}

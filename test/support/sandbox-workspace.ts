import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Whether the real bubblewrap is here (the sandbox tests need it; `.ci/run` installs it). */
export const HAS_BWRAP = process.platform === "linux" && existsSync("/usr/bin/bwrap");

/** The text of the fake SSH key in every sandbox workspace's home. */
export const FAKE_KEY = "-----BEGIN OPENSSH PRIVATE KEY----- fake-key-for-sandbox-tests";

/** A throwaway directory for sandbox tests, and its siblings `<dir>.bin` and `<dir>.outside`. */
export interface SandboxWorkspace {
  dir: string;
  /** `<dir>/home`, holding `.ssh/id_rsa` with `FAKE_KEY`. */
  home: string;
  stateDir: string;
  /** A fresh directory outside the workspace (so outside every writable path) for a test PATH. */
  binDir(): string;
  remove(): void;
}

/**
 * A workspace in /var/tmp, not /tmp: a sandbox gets a private /tmp, so a write "outside" under
 * /tmp would land in that throwaway tmpfs instead of failing against the read-only host file
 * system. Holds a home with a fake SSH key, a `.git/hooks` directory, `private.txt` and `public.txt`.
 */
export function makeSandboxWorkspace(): SandboxWorkspace {
  const dir = mkdtempSync("/var/tmp/agentry-sandbox-");
  const home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "id_rsa"), `${FAKE_KEY}\n`);
  mkdirSync(join(dir, ".git", "hooks"), { recursive: true });
  writeFileSync(join(dir, "private.txt"), "private-data\n");
  writeFileSync(join(dir, "public.txt"), "public-data\n");
  return {
    dir,
    home,
    stateDir: join(dir, "state"),
    binDir() {
      mkdirSync(`${dir}.bin`, { recursive: true });
      return `${dir}.bin`;
    },
    remove() {
      for (const path of [dir, `${dir}.bin`, `${dir}.outside`])
        rmSync(path, { recursive: true, force: true });
    },
  };
}

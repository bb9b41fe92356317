import { isWithin, locate } from "./sandbox-policy.ts";

/** The host's runtime directories in a sandbox: covered by an empty private tmpfs, a few files bound back. */
export interface RuntimeMounts {
  /** Real paths of the runtime directories (`/run`, and `/var/run` when it is not a link to it). */
  hide: string[];
  /** Real paths of files inside them that stay readable (`/etc/resolv.conf`'s target). */
  keep: string[];
}

const RUNTIME_DIRS = ["/run", "/var/run"] as const;
/** Files elsewhere that commonly link into /run and are needed inside (host DNS with `network = "allow"`). */
const KEPT_LINKS = ["/etc/resolv.conf"] as const;

/**
 * Where the host keeps its daemons' Unix sockets (D-Bus, systemd's private socket, Docker, the
 * user's ssh-agent, gpg-agent and session bus under `/run/user/UID`). A new network namespace does
 * not isolate filesystem sockets, and a command running as agentry's uid (root in CI) passes the
 * daemons' credential checks: systemd would start any command outside the sandbox for it. So the
 * directories are hidden as a whole, which also covers sockets created after the sandbox started;
 * only regular files that must stay readable are bound back. Read now, before each launch.
 */
export function runtimeMounts(
  where: { dirs: readonly string[]; links: readonly string[] } = { dirs: RUNTIME_DIRS, links: KEPT_LINKS },
): RuntimeMounts {
  const hide: string[] = [];
  for (const dir of where.dirs) {
    const real = locate(dir)?.real;
    if (real && real !== "/" && !hide.some((kept) => isWithin(real, kept))) hide.push(real);
  }
  const keep: string[] = [];
  for (const link of where.links) {
    const real = locate(link)?.real;
    if (real && real !== link && hide.some((dir) => isWithin(real, dir))) keep.push(real);
  }
  return { hide, keep };
}

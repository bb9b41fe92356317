import { join } from "node:path";

/**
 * Paths hidden in every sandbox, relative to the home directory: credentials of common tools
 * (SSH, cloud CLIs, container and package registries, git, GnuPG). `deny_read` adds to this
 * list; it cannot remove from it.
 */
const HOME_SECRETS = [
  ".ssh",
  ".aws",
  ".config/gcloud",
  ".azure",
  ".kube",
  ".docker",
  ".gnupg",
  ".netrc",
  ".git-credentials",
  ".npmrc",
  ".pypirc",
  ".config/gh",
] as const;

/** Host sockets that hand out root-equivalent power to whoever connects (docs/SANDBOX.md). */
const ROOT_SOCKETS = ["/run/docker.sock", "/var/run/docker.sock", "/run/containerd/containerd.sock"] as const;

/** The built-in `deny_read` list for a home directory. */
export function defaultDenyRead(home: string): string[] {
  return [...HOME_SECRETS.map((path) => join(home, path)), ...ROOT_SOCKETS];
}

import { readFileSync } from "node:fs";
import { userInfo } from "node:os";

/**
 * Who is deciding an approval: `$USER`, else `$LOGNAME` (or `%USERNAME%` on Windows), else the
 * account name of the process's uid in `/etc/passwd` (containers and CI often leave `$USER`
 * unset, and Bun's `os.userInfo()` then answers "unknown"), else `uid:N`. Never "unknown": an
 * audit record must say who decided.
 */
export function currentUser(env: Record<string, string | undefined> = process.env): string {
  for (const name of ["USER", "LOGNAME", "USERNAME"]) {
    const value = env[name];
    if (value) return value;
  }
  const uid = process.getuid?.();
  if (uid === undefined) return safeUserInfoName() ?? "unknown user";
  return accountName(uid) ?? safeUserInfoName() ?? `uid:${uid}`;
}

function accountName(uid: number): string | undefined {
  let passwd: string;
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    return undefined;
  }
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 3 && fields[2] === String(uid) && fields[0]) return fields[0];
  }
  return undefined;
}

function safeUserInfoName(): string | undefined {
  try {
    const name = userInfo().username;
    return name && name !== "unknown" ? name : undefined;
  } catch {
    return undefined;
  }
}

import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { groupAlive, groupExists, killProcessTree, signalGroup } from "../../src/process/process-group.ts";
import { eventually } from "../support/processes.ts";

const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) signalGroup(pid, "SIGKILL");
});

/** A shell leading its own process group, with a background `sleep` in the same group. */
function groupWithChild(script = "sleep 300 & wait"): number {
  const child = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" });
  const pid = child.pid as number;
  started.push(pid);
  return pid;
}

describe.skipIf(process.platform === "win32")("process groups", () => {
  test("killProcessTree ends the leader and its children, then the group is gone", async () => {
    const pid = groupWithChild();
    expect(groupExists(pid)).toBe(true);
    await killProcessTree(pid, 1000);
    expect(groupAlive(pid)).toBe(false);
  });

  test("a member that ignores SIGTERM is SIGKILLed after the grace period", async () => {
    const pid = groupWithChild("trap '' TERM; sleep 300 & wait; sleep 300");
    await killProcessTree(pid, 100);
    // Without the SIGKILL the group would live 300 s; a loaded machine may take a moment to reap it.
    expect(await eventually(() => !groupAlive(pid))).toBe(true);
  });

  test("killProcessTree asks the tracked members, not the group, and signals both", async () => {
    const pid = groupWithChild();
    const signals: string[] = [];
    let alive = true;
    await killProcessTree(pid, 1000, {
      alive: () => alive,
      signal: (name) => {
        signals.push(name);
        alive = false;
      },
    });
    expect(signals).toEqual(["SIGTERM"]);
    expect(await eventually(() => !groupAlive(pid))).toBe(true);
  });

  test("signalling or killing a group that is gone is harmless", async () => {
    const pid = groupWithChild("exit 0");
    await killProcessTree(pid, 100);
    expect(() => signalGroup(pid, "SIGKILL")).not.toThrow();
    expect(groupAlive(pid)).toBe(false);
  });
});

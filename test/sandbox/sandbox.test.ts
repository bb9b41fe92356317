import { describe, expect, test } from "bun:test";
import { createSandbox } from "../../src/sandbox/sandbox.ts";

const host = { home: "/nonexistent-home", homes: ["/nonexistent-home"], agentryPaths: [], readOnly: [] };

describe.skipIf(process.platform !== "linux")("createSandbox (Linux)", () => {
  const sandbox = createSandbox({ sandbox: "read-only" }, { cwd: "/", host, path: "/usr/bin:/bin" });

  test("bwrap's own failures are setup failures; a command that ran, or a program missing inside, are not", () => {
    if (!sandbox) throw new Error("no sandbox");
    const setup = sandbox.setupFailure({
      status: '{ "child-pid": 7 }\n',
      exitCode: 1,
      output: "bwrap: setting up uid map: Permission denied\n",
    });
    expect(setup).toBe("bubblewrap could not set up the sandbox: setting up uid map: Permission denied");
    expect(sandbox.setupFailure({ status: "", exitCode: 1, output: "" })).toBe(
      "bubblewrap could not set up the sandbox (exit code 1)",
    );
    expect(
      sandbox.setupFailure({
        status: '{ "exit-code": 1 }',
        exitCode: 1,
        output: "bwrap: looks like bwrap\n",
      }),
    ).toBeUndefined();
    expect(
      sandbox.setupFailure({
        status: '{ "child-pid": 7 }',
        exitCode: 1,
        output: "bwrap: execvp /tmp/x: No such file or directory\n",
      }),
    ).toBeUndefined();
  });

  test("sandbox off is no sandbox; another platform refuses every call", async () => {
    expect(createSandbox({ sandbox: "off" }, { cwd: "/", host, path: "/usr/bin" })).toBeUndefined();
    const windows = createSandbox({ sandbox: "read-only" }, { cwd: "/", host, path: "", platform: "win32" });
    expect(await windows?.prepare("/bin/true", [])).toEqual({
      ok: false,
      reason: "no sandbox is available on win32",
    });
  });
});

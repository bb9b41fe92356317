import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ShellToolConfig } from "../../src/config/schema.ts";
import type { ToolContext } from "../../src/spec/tool.ts";
import { cgroupTracker } from "../../src/tools/shell/cgroup-tracker.ts";
import { createShellTool } from "../../src/tools/shell/index.ts";
import { processesWithArgv } from "../support/processes.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentry-shell-"));
  dirs.push(dir);
  return dir;
}

/** A `${NAME}` config reference, spelled so that linters do not take it for a template. */
function envRef(name: string): string {
  return "$" + "{" + name + "}";
}

function ctx(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, runId: "r1", agent: "a", callId: "c1" };
}

function tool(
  config: Partial<ShellToolConfig> = {},
  env: Record<string, string | undefined> = process.env,
  tracking: "auto" | "proc" = "auto",
) {
  return createShellTool("sh", { kind: "shell", env: ["PATH"], ...config }, { env, graceMs: 300, tracking });
}

/** Live (non-zombie) `sleep MARKER` processes. */
const running = (marker: string) => processesWithArgv(["sleep", marker]);

const cgroups = (() => {
  const tracker = cgroupTracker();
  tracker?.dispose();
  return tracker !== undefined;
})();

/** Pids of live (non-zombie) processes in a process group, read from /proc. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of new Bun.Glob("[0-9]*").scanSync({ cwd: "/proc", onlyFiles: false })) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return members;
}

describe("shell tool", () => {
  test("runs an allowed command and reports exit code 0", async () => {
    const result = await tool({ allow: ["echo *"] }).execute({ command: "echo hello world" }, ctx());
    expect(result.ok).toBe(true);
    expect(result.output).toBe("hello world\n");
    expect(result.meta).toMatchObject({
      exit_code: 0,
      signal: null,
      truncated_bytes: 0,
      argv: ["echo", "hello", "world"],
    });
  });

  test("a command matching no allow rule is refused and never executed", async () => {
    const dir = tempDir();
    const marker = join(dir, "marker");
    const result = await tool({ allow: ["echo *"] }).execute({ command: `touch ${marker}` }, ctx());
    expect(result.ok).toBe(false);
    expect(result.error).toContain('matches none of the allow rules "echo *"');
    expect(existsSync(marker)).toBe(false);
  });

  test("deny wins over allow and names the rule; the marker file never appears", async () => {
    const dir = tempDir();
    const marker = join(dir, "marker");
    const result = await tool({ allow: ["*"], deny: ["touch *"] }).execute(
      { command: `touch ${marker}` },
      ctx(),
    );
    expect(result.ok).toBe(false);
    expect(result.error).toContain('denied by the rule "touch *"');
    expect(existsSync(marker)).toBe(false);
  });

  test("* matches spaces and slashes; without allow, anything not denied runs", async () => {
    const dir = tempDir();
    const marker = join(dir, "made");
    const result = await tool({ deny: ["rm *"] }).execute({ command: `touch ${marker}` }, ctx());
    expect(result.ok).toBe(true);
    expect(existsSync(marker)).toBe(true);
    const denied = await tool({ deny: ["rm -rf /*"] }).execute({ command: "rm -rf /tmp/x/y z" }, ctx());
    expect(denied.error).toContain("denied");
  });

  test("quotes and escapes form single arguments; operators stay literal words", async () => {
    const quoted = await tool().execute({ command: `printf '%s|' 'a b' "c \\"d\\"" e\\ f` }, ctx());
    expect(quoted.output).toBe('a b|c "d"|e f|');
    const dir = tempDir();
    const marker = join(dir, "never");
    const piped = await tool().execute({ command: `echo a | touch ${marker}` }, ctx());
    expect(piped.output).toBe(`a | touch ${marker}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  test("unbalanced quotes are a clear tool error", async () => {
    const result = await tool().execute({ command: "echo 'oops" }, ctx());
    expect(result.ok).toBe(false);
    expect(result.error).toContain("unbalanced single quote");
  });

  test("the environment holds only listed variables and set_env values", async () => {
    const env = { PATH: process.env["PATH"], SECRET_HOME: "/x", API_TOKEN: "tok-123", VISIBLE: "yes" };
    const secrets: string[] = [];
    const shell = createShellTool(
      "sh",
      { kind: "shell", env: ["PATH", "VISIBLE"], set_env: { TOKEN: envRef("API_TOKEN") } },
      { env, onSecrets: (values) => secrets.push(...values) },
    );
    const result = await shell.execute({ command: "env" }, ctx());
    expect(result.output).toContain("VISIBLE=yes");
    expect(result.output).toContain("TOKEN=tok-123");
    expect(result.output).not.toContain("SECRET_HOME");
    expect(secrets).toEqual(["tok-123"]);
  });

  test("an unset variable referenced by set_env is a configuration error at creation", () => {
    expect(() =>
      createShellTool("sh", { kind: "shell", set_env: { T: envRef("NOPE_UNSET") } }, { env: {} }),
    ).toThrow("NOPE_UNSET");
  });

  test("a non-zero exit is ok: false with the output included", async () => {
    const result = await tool({ shell: true }).execute({ command: "echo partial; exit 3" }, ctx());
    expect(result.ok).toBe(false);
    expect(result.error).toContain("exited with code 3");
    expect(result.output).toBe("partial\n");
    expect(result.meta?.["exit_code"]).toBe(3);
  });

  test("an unknown program is a tool error", async () => {
    const result = await tool().execute({ command: "definitely-not-a-program-xyz" }, ctx());
    expect(result.error).toBe("command not found: definitely-not-a-program-xyz");
  });

  test("shell = true checks every simple command and refuses substitutions under rules", async () => {
    const dir = tempDir();
    const marker = join(dir, "marker");
    const shell = tool({ shell: true, allow: ["echo *"] });
    const chained = await shell.execute({ command: `echo hi; touch ${marker}` }, ctx());
    expect(chained.error).toContain(`command "touch ${marker}" is not allowed`);
    const substituted = await shell.execute({ command: `echo $(touch ${marker})` }, ctx());
    expect(substituted.error).toContain("substitution");
    expect(existsSync(marker)).toBe(false);
    const piped = await tool({ shell: true, allow: ["echo *", "tr *"] }).execute(
      { command: "echo abc | tr a-z A-Z" },
      ctx(),
    );
    expect(piped.output).toBe("ABC\n");
  });

  test("a timeout kills the whole tree, background children included", async () => {
    const result = await tool({ shell: true, timeout: 500 }).execute(
      { command: "sleep 100 & sleep 100" },
      ctx(),
    );
    expect(result.ok).toBe(false);
    expect(result.error).toContain("timed out after 500 ms");
    const pid = result.meta?.["pid"];
    expect(typeof pid).toBe("number");
    expect(groupMembers(pid as number)).toEqual([]);
  });

  test("a background child left after a normal exit is killed too", async () => {
    const result = await tool({ shell: true }).execute(
      { command: "sleep 100 > /dev/null 2>&1 & echo started" },
      ctx(),
    );
    expect(result.ok).toBe(true);
    expect(result.output).toBe("started\n");
    expect(groupMembers(result.meta?.["pid"] as number)).toEqual([]);
  });

  test("abort through ctx.signal kills the tree", async () => {
    const controller = new AbortController();
    const running = tool({ shell: true }).execute(
      { command: "sleep 100 & sleep 100 & wait" },
      ctx(controller.signal),
    );
    await Bun.sleep(200);
    controller.abort();
    const result = await running;
    expect(result.error).toContain("cancelled");
    expect(result.meta?.["signal"]).not.toBeNull();
    expect(groupMembers(result.meta?.["pid"] as number)).toEqual([]);
  });

  test("50 MB of output is capped with a marker and never held in memory", async () => {
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const result = await tool({ shell: true, max_output: 4096 }).execute(
      { command: "head -c 50000000 /dev/zero | tr '\\0' x" },
      ctx(),
    );
    Bun.gc(true);
    const grown = process.memoryUsage().rss - before;
    expect(result.ok).toBe(true);
    expect(result.meta?.["truncated_bytes"]).toBe(50_000_000 - 4096);
    expect(result.output).toContain("[... output truncated: 49995904 bytes dropped ...]");
    expect(result.output.length).toBeLessThan(4300);
    expect(grown).toBeLessThan(25 * 1024 * 1024);
  });

  describe.each(["auto", "proc"] as const)(
    "descendants that left the process group (tracking %s)",
    (tracking) => {
      test("a timeout kills a child that moved to its own session (setsid)", async () => {
        const marker = `100.${process.pid}1${tracking.length}`;
        const result = await tool({ shell: true, timeout: 600 }, process.env, tracking).execute(
          { command: `setsid sleep ${marker} & sleep 100` },
          ctx(),
        );
        expect(result.error).toContain("timed out");
        expect(running(marker)).toEqual([]);
      });

      test("a child that ignores SIGTERM in its own process group is SIGKILLed after the grace", async () => {
        const marker = `101.${process.pid}2${tracking.length}`;
        const controller = new AbortController();
        const running$ = tool({ shell: true }, process.env, tracking).execute(
          { command: `setsid sh -c "trap '' TERM; sleep ${marker}" & wait` },
          ctx(controller.signal),
        );
        for (let i = 0; i < 400 && running(marker).length === 0; i++) await Bun.sleep(5);
        expect(running(marker)).toHaveLength(1);
        controller.abort();
        const result = await running$;
        expect(result.error).toContain("cancelled");
        expect(running(marker)).toEqual([]);
      });
    },
  );

  test.skipIf(!cgroups)(
    "with a cgroup, a daemon orphaned at once is killed after a normal exit",
    async () => {
      const marker = `102.${process.pid}3`;
      const result = await tool({ shell: true }).execute(
        { command: `(setsid sleep ${marker} > /dev/null 2>&1 &); echo started` },
        ctx(),
      );
      expect(result.output).toBe("started\n");
      expect(running(marker)).toEqual([]);
    },
  );
});

test("the command gets PATH without its relative entries: with shell = true the shell cannot find a file the model wrote as an allowed program", async () => {
  const dir = tempDir();
  await Bun.write(join(dir, "bin", "ls"), `#!/bin/sh\necho planted > ${join(dir, "planted")}\n`);
  Bun.spawnSync(["chmod", "+x", join(dir, "bin", "ls")]);
  const tool = createShellTool(
    "sh",
    { kind: "shell", shell: true, allow: ["ls *", "echo *"], env: ["PATH"], cwd: dir },
    { env: { PATH: `bin::.:${process.env["PATH"] ?? "/usr/bin:/bin"}` } },
  );
  const listed = await tool.execute({ command: "ls bin" }, ctx());
  expect(listed.ok).toBe(true);
  expect(existsSync(join(dir, "planted"))).toBe(false);
  const path = await tool.execute({ command: 'echo "$PATH"' }, ctx());
  expect(
    path.output
      .trim()
      .split(":")
      .every((entry) => entry.startsWith("/")),
  ).toBe(true);
});

import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, type Workspace } from "../support/workspace.ts";

let ws: Workspace | undefined;
afterEach(() => {
  ws?.remove();
  ws = undefined;
});

const BASE = `
[providers.openai]
kind = "openai"
api_key = "sk-unused"

[defaults]
model = "openai/gpt-4.1-mini"
`;

function workspace(include: string[]): Workspace {
  ws = makeWorkspace(`include = ${JSON.stringify(include)}\n${BASE}`);
  return ws;
}

/** `agentry validate` with a hard 15 s limit: a hang is a failure (code null), never a stuck suite. */
function validate(configPath?: string) {
  if (!ws) throw new Error("no workspace");
  return runBinary(["validate", "-c", configPath ?? ws.configPath], { cwd: ws.dir, timeoutMs: 15_000 });
}

const agentToml = (name: string) => `[agents.${name}]\ninstructions = "hi"\n`;

describe("config include limits (issue 11 item 10)", () => {
  test("/dev/zero is refused at once as a device (exit 2)", async () => {
    workspace(["/dev/zero"]);
    const result = await validate();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "cannot read included file /dev/zero: it is a device, not a regular file",
    );
  }, 30_000);

  test("a FIFO include is refused without blocking (exit 2)", async () => {
    const w = workspace(["pipe.toml"]);
    execFileSync("mkfifo", [join(w.dir, "pipe.toml")]);
    const result = await validate();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read included file pipe.toml: it is a named pipe (FIFO)");
  }, 30_000);

  test("a FIFO given as the main configuration is refused without blocking (exit 2)", async () => {
    const w = workspace([]);
    execFileSync("mkfifo", [join(w.dir, "main.toml")]);
    const result = await validate(join(w.dir, "main.toml"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read configuration file: it is a named pipe (FIFO)");
  }, 30_000);

  test("a file over 1 MiB is refused (exit 2); one just under is read", async () => {
    const w = workspace(["big.toml", "fits.toml"]);
    const big = w.write("big.toml", "");
    truncateSync(big, 1024 * 1024 + 1);
    w.write("fits.toml", `${agentToml("fits")}#${"x".repeat(1024 * 1024 - 40)}\n`);
    const result = await validate();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read included file big.toml: larger than 1 MiB");
    expect(result.stderr).not.toContain("fits.toml");
  }, 30_000);

  test.each([
    ["/**/*.toml", "must be relative to the including file's directory"],
    ["/etc/*.toml", "must be relative to the including file's directory"],
    ["~/*.toml", "must be relative to the including file's directory"],
    ["../**/*.toml", "may not leave the including file's directory"],
    ["agents/../../*.toml", "may not leave the including file's directory"],
  ])(
    "the glob %s is refused without walking (exit 2)",
    async (pattern, reason) => {
      workspace([pattern]);
      const result = await validate();
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `include pattern ${JSON.stringify(pattern)} refused: an include glob ${reason}`,
      );
    },
    30_000,
  );

  test("a glob that would examine more than 10000 entries is refused (exit 2)", async () => {
    const w = workspace(["many/**/*.toml"]);
    mkdirSync(join(w.dir, "many"));
    for (let i = 0; i < 10_001; i++) writeFileSync(join(w.dir, "many", `f${i}.txt`), "");
    const result = await validate();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("examined more than 10000 directory entries; narrow it");
  }, 30_000);

  test("** does not follow a symlink loop; files under the tree are still found", async () => {
    const w = workspace(["agents/**/*.toml"]);
    mkdirSync(join(w.dir, "agents", "team"), { recursive: true });
    w.write("agents/team/ops.toml", agentToml("ops"));
    symlinkSync(join(w.dir, "agents"), join(w.dir, "agents", "team", "loop"));
    symlinkSync("/", join(w.dir, "agents", "root"));
    const result = await validate();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 agent");
  }, 30_000);
});

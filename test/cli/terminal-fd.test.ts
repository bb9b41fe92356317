import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/static-imports.ts";
import { shellQuote } from "../support/terminal.ts";

const dir = mkdtempSync(join(tmpdir(), "terminal-fd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Prints, for fds 0-2, what `isTerminal` and `tty.isatty` say, as "isTerminal|isatty" words. */
const probe = join(dir, "probe.ts");
writeFileSync(
  probe,
  `import tty from "node:tty";
import { isTerminal } from ${JSON.stringify(join(ROOT, "src/cli/terminal-fd.ts"))};
const fds = [0, 1, 2] as const;
require("node:fs").writeFileSync(process.env.PROBE_OUT, fds.map((fd) => \`\${isTerminal(fd)}|\${tty.isatty(fd)}\`).join(" "));
`,
);

async function answers(shellCommand: string): Promise<string[]> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const child = Bun.spawn(["bash", "-c", shellCommand], {
    env: { ...process.env, PROBE_OUT: out },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  expect(await child.exited).toBe(0);
  return (await Bun.file(out).text()).split(" ");
}

const bun = shellQuote(process.execPath);

test("isTerminal(fd) answers as tty.isatty(fd): pipes, a file, /dev/null", async () => {
  const words = await answers(
    `echo x | ${bun} ${shellQuote(probe)} 2>/dev/null > ${shellQuote(join(dir, "file"))}`,
  );
  expect(words).toEqual(["false|false", "false|false", "false|false"]);
});

test("isTerminal(fd) answers as tty.isatty(fd) on a pseudo-terminal", async () => {
  const words = await answers(`script -qfec ${shellQuote(`${bun} ${shellQuote(probe)}`)} /dev/null`);
  expect(words).toEqual(["true|true", "true|true", "true|true"]);
});

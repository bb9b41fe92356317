/**
 * Records the profiles of Bun's profile-guided bytecode layout (`compile.bytecodeOrder`): builds
 * agentry without one, runs it the ways users do, and writes the functions each run used to
 * `scripts/bytecode-order/*.order` (hashes of function syntax, no source). `scripts/build.ts`
 * lays the bytecode out by them, so the executable reads and decodes less of itself at start-up
 * (see docs/BENCHMARKS.md). Profiles keep applying as the code changes; record again when many
 * functions changed. Talks only to the in-repo mock provider on 127.0.0.1.
 *   node_modules/.bin/bun scripts/record-bytecode-order.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchSetup } from "./bench/fixtures.ts";
import { compileBinary, BYTECODE_ORDER_DIR as ORDER_DIR } from "./build.ts";

const ROOT = join(import.meta.dir, "..");

const work = mkdtempSync(join(tmpdir(), "agentry-order-"));
const binary = join(work, "agentry");
await compileBinary({
  outfile: binary,
  targetName: `${process.platform}-${process.arch}`,
  bytecodeOrder: false,
});

const setup = await benchSetup(3);
const { config } = setup;
const jobs = join(work, "jobs.jsonl");
writeFileSync(
  jobs,
  Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: i, prompt: `job ${i}` })).join("\n"),
);

/** Ways of starting agentry, the most common first: the build lists the profiles in this order. */
const workloads: [string, string[]][] = [
  ["1-run", ["run", "-c", config, "-q", "go"]],
  ["2-batch", ["batch", jobs, "-c", config, "--concurrency", "20", "-q"]],
  [
    "3-demo",
    ["run", "-c", join(ROOT, "configs/demo.toml"), "-q", "What is in the workspace, and what is left to do?"],
  ],
  ["4-validate", ["validate", "-c", join(ROOT, "configs/demo.toml")]],
  ["5-help", ["--help"]],
];

rmSync(ORDER_DIR, { recursive: true, force: true });
mkdirSync(ORDER_DIR, { recursive: true });
try {
  for (const [name, args] of workloads) {
    const out = join(ORDER_DIR, `${name}.order`);
    const child = Bun.spawn([binary, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        BUN_BYTECODE_ORDER_OUT: out,
        AGENTRY_STATE_DIR: join(work, "state"),
        NO_COLOR: "1",
      },
      stdout: "ignore",
      stderr: "pipe",
    });
    const code = await child.exited;
    if (code !== 0) {
      throw new Error(`agentry ${args.join(" ")} exited ${code}: ${await new Response(child.stderr).text()}`);
    }
    console.error(`recorded ${out}`);
  }
} finally {
  await setup.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(setup.dir, { recursive: true, force: true });
}

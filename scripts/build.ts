/**
 * Builds `dist/agentry` for the host: `bun build --compile --minify --bytecode` with `.env` and
 * `bunfig.toml` auto-loading off and version, commit, date and target defined at build time.
 * `scripts/release.ts` reuses `compileBinary` for cross targets.
 */

import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { $ } from "bun";

const ROOT = join(import.meta.dir, "..");

export interface CompileOptions {
  outfile: string;
  /** Bun target such as `bun-linux-x64-musl`; the host when omitted. */
  target?: string;
  /** Name shown by `agentry version`, e.g. `linux-x64`. */
  targetName: string;
  /** Commit shown by `agentry version`; read from git when omitted (a release passes one for all targets). */
  commit?: string;
  /** `false` builds without the recorded bytecode layout (to record a new one). */
  bytecodeOrder?: false;
}

/**
 * Start-up code stays in the interpreter until it has run this many times longer than usual:
 * compiling run-once code (module set-up, config validation) costs more memory than it saves
 * time. Measured on a batch of 50 agents: peak RSS 70 → 64 MB, per-turn time unchanged.
 */
const JIT_POLICY = 64;

/**
 * Modules the executable replaces (relative to the root): what the library imports plainly and
 * the executable loads on first use or gets natively, off `agentry run`'s path to its first
 * request (docs/ARCHITECTURE.md, start-up). test/architecture/run-start-up.test.ts reads this.
 * - zod: `src/lazy-zod/index.ts` (a plain import) becomes `on-first-use.ts`, whose
 *   `require("zod")` resolves to the ES module every `import … from "zod"` gets (not zod's
 *   CommonJS build, which would be a second zod with its own registry of descriptions).
 * - node:crypto: the digests come from Bun's native hasher (`src/digest/bun.ts`); the state
 *   key's cipher loads node:crypto when a run first uses it (`src/lazy-node-crypto`).
 */
export const EXECUTABLE_SWAPS: Readonly<Record<string, string>> = {
  "src/lazy-zod/index.ts": "src/lazy-zod/on-first-use.ts",
  "src/lazy-node-crypto/index.ts": "src/lazy-node-crypto/on-first-use.ts",
  "src/digest/index.ts": "src/digest/bun.ts",
};

/** Puts `EXECUTABLE_SWAPS` in place, and resolves zod's `require` to its ES module. */
export const executableSwaps: Bun.BunPlugin = {
  name: "executable-swaps",
  setup(build) {
    const swaps = new Map(
      Object.entries(EXECUTABLE_SWAPS).map(([from, to]) => [join(ROOT, from), join(ROOT, to)]),
    );
    build.onResolve({ filter: /index\.ts$/ }, (args) => {
      const swap = swaps.get(resolve(dirname(args.importer), args.path));
      return swap ? { path: swap } : undefined;
    });
    build.onResolve({ filter: /^zod$/ }, (args) =>
      args.kind === "require-call" ? { path: Bun.resolveSync("zod", join(ROOT, "src")) } : undefined,
    );
  },
};

/** Where `scripts/record-bytecode-order.ts` writes the recorded bytecode layouts. */
export const BYTECODE_ORDER_DIR = join(ROOT, "scripts/bytecode-order");

/** The recorded bytecode layouts, the most common workload first (their names sort that way). */
function bytecodeOrderFiles(): string[] {
  if (!existsSync(BYTECODE_ORDER_DIR)) return [];
  return readdirSync(BYTECODE_ORDER_DIR)
    .filter((name) => name.endsWith(".order"))
    .sort()
    .map((name) => join(BYTECODE_ORDER_DIR, name));
}

async function gitCommit(): Promise<string> {
  const result = await $`git rev-parse --short=12 HEAD`.cwd(ROOT).quiet().nothrow();
  return result.exitCode === 0 ? result.stdout.toString().trim() : "unknown";
}

/** Compiles the CLI into one executable. Throws with Bun's diagnostics when the build fails. */
export async function compileBinary(options: CompileOptions): Promise<void> {
  const pkg = (await Bun.file(join(ROOT, "package.json")).json()) as { version: string };
  const date = process.env["SOURCE_DATE_EPOCH"]
    ? new Date(Number(process.env["SOURCE_DATE_EPOCH"]) * 1000).toISOString()
    : new Date().toISOString();
  mkdirSync(dirname(options.outfile), { recursive: true });
  const result = await Bun.build({
    entrypoints: [join(ROOT, "cmd/agentry.ts")],
    compile: {
      outfile: options.outfile,
      ...(options.target ? { target: options.target as Bun.Build.CompileTarget } : {}),
      autoloadDotenv: false,
      autoloadBunfig: false,
      jitPolicy: JIT_POLICY,
      bytecodeOrder: options.bytecodeOrder === false ? false : bytecodeOrderFiles(),
    },
    // BullMQ's optional Node client (a devDependency, for the library's Node tests): the binary
    // connects with Bun's built-in Redis client and must not embed it (docs/WORKERS.md).
    external: ["ioredis"],
    plugins: [executableSwaps],
    format: "esm",
    minify: true,
    bytecode: true,
    splitting: true,
    sourcemap: "none",
    define: {
      AGENTRY_VERSION: JSON.stringify(pkg.version),
      AGENTRY_COMMIT: JSON.stringify(options.commit ?? (await gitCommit())),
      AGENTRY_BUILD_DATE: JSON.stringify(date),
      AGENTRY_TARGET: JSON.stringify(options.targetName),
    },
  });
  if (!result.success) {
    throw new Error(`build failed:\n${result.logs.map((log) => String(log)).join("\n")}`);
  }
}

if (import.meta.main) {
  const targetName = `${process.platform}-${process.arch}`;
  const flag = process.argv.indexOf("--outfile");
  const outfile = flag > 0 && process.argv[flag + 1] ? process.argv[flag + 1]! : join(ROOT, "dist/agentry");
  await compileBinary({ outfile, targetName });
  console.error(`built ${outfile} (${targetName})`);
}

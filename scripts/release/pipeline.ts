/**
 * The snapshot release: for each target compile (`compileBinary` from scripts/build.ts), stage and
 * archive; then the CycloneDX SBOM, `SHA256SUMS` over archives and SBOM, and — given an ed25519
 * key — `SHA256SUMS.sig` plus the public key. Nothing is published.
 *
 *   load config → clean out dir → for target: compile → stage → pack (packing runs in parallel)
 *   → SBOM → SHA256SUMS → sign → remove the staging dir
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { compileBinary } from "../build.ts";
import { expandFiles, packTarget, stageExtraFiles } from "./archive.ts";
import { formatChecksums, sha256File } from "./checksums.ts";
import { loadReleaseConfig, type ReleaseConfig } from "./config.ts";
import { ReleaseError } from "./release-error.ts";
import { locateRuntime } from "./runtime-location.ts";
import { buildSbom, productionTree, type RuntimeComponent } from "./sbom.ts";
import { loadSigningKey, signBytes } from "./sign.ts";
import { type ReleaseTarget, resolveTargets } from "./targets.ts";
import { renderTemplate } from "./template.ts";

/** What a release run needs; everything else comes from the config file. */
export interface ReleaseOptions {
  /** Repository root: package.json, package-lock.json and the extra files live here. */
  root: string;
  configFile: string;
  outDir: string;
  /** Target names to build; all configured targets when omitted. */
  targets?: readonly string[];
  /** SOURCE_DATE_EPOCH: build date inside the binaries, archive mtimes, SBOM timestamp. */
  epoch: number;
  /** PEM ed25519 private key file; no signature when omitted. */
  signingKeyPath?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** One archive of the release. */
export interface ReleaseArtifact {
  target: string;
  bunTarget: string;
  file: string;
  path: string;
  sha256: string;
  archiveBytes: number;
  binaryBytes: number;
}

/** Where everything went. Paths are absolute or relative as `outDir` was given. */
export interface ReleaseResult {
  version: string;
  commit: string;
  artifacts: ReleaseArtifact[];
  checksumPath: string;
  sbomPath: string;
  signaturePath: string | undefined;
  publicKeyPath: string | undefined;
}

const STAGE_DIR = ".stage";

const packageJson = z.object({ name: z.string(), version: z.string(), license: z.string().optional() });

/**
 * HEAD's short hash, read once so every target embeds the same one; `-dirty` is appended when the
 * working tree differs from HEAD, because then the binaries cannot be rebuilt from the commit.
 */
function gitCommit(root: string): string {
  const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: root, stderr: "ignore" });
  if (!head.success) return "unknown";
  const status = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], {
    cwd: root,
    stderr: "ignore",
  });
  const dirty = !status.success || status.stdout.toString().trim() !== "";
  return `${head.stdout.toString().trim()}${dirty ? "-dirty" : ""}`;
}

function prepareOutDir(outDir: string, checksumName: string): void {
  if (existsSync(outDir)) {
    const entries = readdirSync(outDir);
    if (entries.length > 0 && !entries.includes(checksumName) && !entries.includes(STAGE_DIR)) {
      throw new ReleaseError(
        `refusing to empty ${outDir}: it is not empty and holds neither ${checksumName} nor ${STAGE_DIR}, so it is not a previous release`,
        { step: "prepare", outDir },
      );
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
}

async function compileTarget(
  target: ReleaseTarget,
  outfile: string,
  epoch: number,
  commit: string,
): Promise<void> {
  const previous = process.env["SOURCE_DATE_EPOCH"];
  process.env["SOURCE_DATE_EPOCH"] = String(epoch);
  try {
    await compileBinary({ outfile, target: target.bunTarget, targetName: target.name, commit });
  } catch (error) {
    throw new ReleaseError(`compiling ${target.name} (${target.bunTarget}) failed`, {
      step: "compile",
      target: target.name,
      reason: error instanceof Error ? error.message : String(error),
    });
  } finally {
    if (previous === undefined) delete process.env["SOURCE_DATE_EPOCH"];
    else process.env["SOURCE_DATE_EPOCH"] = previous;
  }
}

async function inParallel<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

interface BuildPlan {
  config: ReleaseConfig;
  targets: ReleaseTarget[];
  stageRoot: string;
  outDir: string;
  epoch: number;
  root: string;
  lock: unknown;
  commit: string;
  log: (line: string) => void;
}

async function buildArtifacts(
  plan: BuildPlan,
): Promise<{ artifacts: ReleaseArtifact[]; runtimes: RuntimeComponent[] }> {
  const extraFiles = expandFiles(plan.root, plan.config.archives.files);
  const packJobs: (() => Promise<ReleaseArtifact>)[] = [];
  const runtimes: RuntimeComponent[] = [];
  for (const target of plan.targets) {
    const binaryPath = join(plan.stageRoot, target.archiveBase, target.binaryFile);
    plan.log(`compile ${target.name} (${target.bunTarget})`);
    await compileTarget(target, binaryPath, plan.epoch, plan.commit);
    stageExtraFiles(plan.root, join(plan.stageRoot, target.archiveBase), extraFiles, target.binaryFile);
    runtimes.push(await locateRuntime(target, Bun.version, plan.lock));
    const path = join(plan.outDir, target.archiveFile);
    packJobs.push(async () => {
      await packTarget(target, plan.stageRoot, path, {
        wrap: plan.config.archives.wrap_in_directory,
        epoch: plan.epoch,
      });
      plan.log(`packed ${target.archiveFile}`);
      return {
        target: target.name,
        bunTarget: target.bunTarget,
        file: target.archiveFile,
        path,
        sha256: await sha256File(path),
        archiveBytes: statSync(path).size,
        binaryBytes: statSync(binaryPath).size,
      };
    });
  }
  return { artifacts: await inParallel(packJobs, Math.max(1, availableParallelism())), runtimes };
}

/**
 * Runs a snapshot release into `outDir` (emptied first if it holds a previous or failed release;
 * any other non-empty directory is refused). The signing key is loaded before anything is built.
 */
export async function runRelease(options: ReleaseOptions): Promise<ReleaseResult> {
  const log = options.log ?? (() => {});
  const config = loadReleaseConfig(options.configFile);
  const pkg = packageJson.parse(JSON.parse(readFileSync(join(options.root, "package.json"), "utf8")));
  const commit = gitCommit(options.root);
  if (commit.endsWith("-dirty")) log(`warning: uncommitted changes; the binaries say commit ${commit}`);
  const targets = resolveTargets(config, pkg.version, options.targets);
  const vars = { project: config.project_name, version: pkg.version };
  const checksumName = renderTemplate(config.checksum.name_template, vars);
  const sbomName = renderTemplate(config.sbom.name_template, vars);
  const key = options.signingKeyPath === undefined ? undefined : loadSigningKey(options.signingKeyPath);
  const lock: unknown = JSON.parse(readFileSync(join(options.root, config.sbom.lockfile), "utf8"));
  const npm = productionTree(lock, config.sbom.lockfile);
  prepareOutDir(options.outDir, checksumName);
  const stageRoot = join(options.outDir, STAGE_DIR);
  try {
    const { artifacts, runtimes } = await buildArtifacts({
      config,
      targets,
      stageRoot,
      outDir: options.outDir,
      epoch: options.epoch,
      root: options.root,
      lock,
      commit,
      log,
    });
    const sbomPath = join(options.outDir, sbomName);
    const sbom = buildSbom({
      project: { name: pkg.name, version: pkg.version, license: pkg.license, commit },
      epoch: options.epoch,
      bunVersion: Bun.version,
      npm,
      runtimes,
    });
    writeFileSync(sbomPath, `${JSON.stringify(sbom, null, 2)}\n`);
    const checksumPath = join(options.outDir, checksumName);
    const sums = [
      ...artifacts.map((a) => ({ file: a.file, sha256: a.sha256 })),
      { file: sbomName, sha256: await sha256File(sbomPath) },
    ];
    writeFileSync(checksumPath, formatChecksums(sums));
    let signaturePath: string | undefined;
    let publicKeyPath: string | undefined;
    if (key) {
      const { signature, publicKeyPem } = signBytes(readFileSync(checksumPath), key);
      signaturePath = join(
        options.outDir,
        renderTemplate(config.sign.signature_template, { ...vars, checksum: checksumName }),
      );
      publicKeyPath = join(options.outDir, renderTemplate(config.sign.public_key_name, vars));
      writeFileSync(signaturePath, signature);
      writeFileSync(publicKeyPath, publicKeyPem);
      log(`signed ${checksumName}`);
    }
    return { version: pkg.version, commit, artifacts, checksumPath, sbomPath, signaturePath, publicKeyPath };
  } finally {
    rmSync(stageRoot, { recursive: true, force: true });
  }
}

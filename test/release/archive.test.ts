import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandFiles, listTree, packTarget, stageExtraFiles } from "../../scripts/release/archive.ts";
import type { ReleaseTarget } from "../../scripts/release/targets.ts";

const work = mkdtempSync(join(tmpdir(), "release-archive-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EPOCH = 1_700_000_000;

function target(format: "tar.gz" | "zip"): ReleaseTarget {
  const base = `agentry_1.0.0_test_${format === "zip" ? "zip" : "tgz"}`;
  return {
    name: "linux-x64",
    bunTarget: "bun-linux-x64",
    os: "linux",
    arch: "x64",
    libc: "glibc",
    cpu: "default",
    runtimePackage: "@oven/bun-linux-x64",
    variant: "",
    format,
    archiveBase: base,
    archiveFile: `${base}.${format}`,
    binaryFile: "agentry",
  };
}

/** Stages a fake release in a fresh directory, with on-disk times and modes that differ per call. */
function stage(name: string, t: ReleaseTarget, skew: number): string {
  const repo = join(work, `${name}-repo`);
  mkdirSync(join(repo, "docs"), { recursive: true });
  writeFileSync(join(repo, "README.md"), "readme\n");
  writeFileSync(join(repo, "docs/INSTALL.md"), "install\n");
  const stageRoot = join(work, `${name}-stage`);
  const dir = join(stageRoot, t.archiveBase);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "agentry"), "#!/bin/sh\necho agentry\n");
  chmodSync(join(dir, "agentry"), skew % 2 === 0 ? 0o700 : 0o777);
  stageExtraFiles(repo, dir, expandFiles(repo, ["README.md", "docs/*.md", "LICENSE*"]), "agentry");
  for (const path of ["agentry", "README.md", "docs/INSTALL.md"]) utimesSync(join(dir, path), skew, skew);
  return stageRoot;
}

describe("expandFiles", () => {
  test("expands globs to sorted unique relative paths and skips patterns matching nothing", () => {
    const repo = join(work, "globs");
    mkdirSync(join(repo, "docs"), { recursive: true });
    for (const file of ["README.md", "LICENSE", "LICENSE-THIRD-PARTY", "docs/b.md", "docs/a.md"]) {
      writeFileSync(join(repo, file), file);
    }
    expect(expandFiles(repo, ["LICENSE*", "README.md", "docs/*.md", "NOTICE*", "README.md"])).toEqual([
      "LICENSE",
      "LICENSE-THIRD-PARTY",
      "README.md",
      "docs/a.md",
      "docs/b.md",
    ]);
  });
});

describe("packTarget", () => {
  test("tar.gz: same content gives identical bytes despite different file times and modes", async () => {
    const t = target("tar.gz");
    const outA = join(work, "a.tar.gz");
    const outB = join(work, "b.tar.gz");
    await packTarget(t, stage("tar-a", t, 1_000_000_000), outA, { wrap: true, epoch: EPOCH });
    await packTarget(t, stage("tar-b", t, 1_600_000_001), outB, { wrap: true, epoch: EPOCH });
    expect(readFileSync(outA).equals(readFileSync(outB))).toBe(true);
    const listing = Bun.spawnSync(["tar", "--utc", "-tvzf", outA]).stdout.toString();
    expect(listing).toContain(`-rwxr-xr-x 0/0`);
    expect(listing).toContain(`${t.archiveBase}/agentry`);
    expect(listing).toContain(`${t.archiveBase}/docs/INSTALL.md`);
    expect(listing).toContain("2023-11-14 22:13");
    expect(listing).not.toContain("root");
  });

  test("tar.gz without wrapping puts the files at the archive root", async () => {
    const t = target("tar.gz");
    const out = join(work, "flat.tar.gz");
    await packTarget(t, stage("tar-flat", t, 5), out, { wrap: false, epoch: EPOCH });
    const names = Bun.spawnSync(["tar", "-tzf", out]).stdout.toString().trim().split("\n");
    expect(names).toEqual(["README.md", "agentry", "docs/", "docs/INSTALL.md"]);
  });

  test("zip: identical bytes across stagings, directory entries included", async () => {
    const t = target("zip");
    const outA = join(work, "a.zip");
    const outB = join(work, "b.zip");
    const stageA = stage("zip-a", t, 1_000_000_000);
    await packTarget(t, stageA, outA, { wrap: true, epoch: EPOCH });
    await packTarget(t, stage("zip-b", t, 1_600_000_001), outB, { wrap: true, epoch: EPOCH });
    expect(readFileSync(outA).equals(readFileSync(outB))).toBe(true);
    expect(listTree(join(stageA, t.archiveBase))).toEqual([
      "README.md",
      "agentry",
      "docs/",
      "docs/INSTALL.md",
    ]);
    const text = readFileSync(outA).toString("latin1");
    for (const name of ["", "agentry", "docs/", "docs/INSTALL.md"])
      expect(text).toContain(`${t.archiveBase}/${name}`);
  });
});

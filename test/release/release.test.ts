import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChecksums, sha256File } from "../../scripts/release/checksums.ts";
import { type ReleaseResult, runRelease } from "../../scripts/release/pipeline.ts";

/**
 * One real snapshot release (host target + linux-arm64 cross target, signed with a fresh key),
 * shared by every assertion below. Cross runtimes come from the npm registry via Bun's cache.
 */
const ROOT = join(import.meta.dir, "../..");
const EPOCH = 1_700_000_000;
const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
const CROSS = HOST === "linux-arm64" ? "linux-x64" : "linux-arm64";
const work = mkdtempSync(join(tmpdir(), "release-e2e-"));
const out = join(work, "dist");
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version: string }>;
};
let result: ReleaseResult;

function run(cmd: string[], cwd = out): { code: number; stdout: string; stderr: string } {
  const proc = Bun.spawnSync(cmd, {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env["PATH"] ?? "" },
  });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

function extract(target: string): string {
  const artifact = result.artifacts.find((a) => a.target === target)!;
  const dir = join(work, `x-${target}`);
  mkdirSync(dir);
  expect(run(["tar", "-xzf", artifact.path, "-C", dir]).code).toBe(0);
  return join(dir, artifact.file.replace(/\.tar\.gz$/, ""), "agentry");
}

beforeAll(async () => {
  const keyPath = join(work, "signing.pem");
  writeFileSync(keyPath, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
  result = await runRelease({
    root: ROOT,
    configFile: join(ROOT, ".goreleaser-like.yml"),
    outDir: out,
    targets: [HOST, CROSS],
    epoch: EPOCH,
    signingKeyPath: keyPath,
  });
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("snapshot release", () => {
  test("writes templated archives, SBOM, SHA256SUMS, signature and public key — and nothing else", () => {
    const v = result.version;
    const names = [HOST, CROSS].map(
      (t) => `agentry_${v}_${t.replace("-", "_")}.${t.startsWith("windows") ? "zip" : "tar.gz"}`,
    );
    expect(result.artifacts.map((a) => a.file).sort()).toEqual(names.sort());
    const listing = run(["ls", "-A"]).stdout.trim().split("\n").sort();
    expect(listing).toEqual(
      [...names, `agentry_${v}.cdx.json`, "SHA256SUMS", "SHA256SUMS.sig", "agentry.pub.pem"].sort(),
    );
  });

  test("SHA256SUMS covers every archive and the SBOM, and each line matches the file", async () => {
    const sums = parseChecksums(readFileSync(result.checksumPath, "utf8"));
    expect([...sums.keys()].sort()).toEqual(
      [...result.artifacts.map((a) => a.file), `agentry_${result.version}.cdx.json`].sort(),
    );
    for (const [file, hex] of sums) expect(await sha256File(join(out, file))).toBe(hex);
    if (Bun.which("sha256sum")) expect(run(["sha256sum", "-c", "SHA256SUMS"]).code).toBe(0);
  });

  test("stock openssl verifies the signature and rejects a tampered SHA256SUMS", () => {
    if (!Bun.which("openssl"))
      throw new Error("openssl is required to check the documented verification command");
    const verify = (file: string) =>
      run([
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "agentry.pub.pem",
        "-rawin",
        "-in",
        file,
        "-sigfile",
        "SHA256SUMS.sig",
      ]);
    const good = verify("SHA256SUMS");
    expect(good.stdout).toContain("Signature Verified Successfully");
    expect(good.code).toBe(0);
    const tampered = readFileSync(result.checksumPath, "utf8").replace(/^./, (c) => (c === "0" ? "1" : "0"));
    writeFileSync(join(out, "SHA256SUMS.tampered"), tampered);
    try {
      expect(verify("SHA256SUMS.tampered").code).not.toBe(0);
    } finally {
      rmSync(join(out, "SHA256SUMS.tampered"));
    }
  });

  test("the SBOM lists the production packages with lockfile versions and both Bun runtimes", () => {
    const bom = JSON.parse(readFileSync(result.sbomPath, "utf8")) as {
      specVersion: string;
      metadata: { timestamp: string };
      components: {
        name: string;
        group?: string;
        version: string;
        purl: string;
        hashes: { alg: string }[];
      }[];
    };
    expect(bom.specVersion).toBe("1.5");
    expect(bom.metadata.timestamp).toBe("2023-11-14T22:13:20Z");
    for (const name of ["zod", "undici", "commander", "smol-toml", "execa", "jsonrepair"]) {
      const version = lock.packages[`node_modules/${name}`]!.version;
      const component = bom.components.find((c) => c.name === name && !c.group && c.version === version);
      expect(component?.version).toBe(version);
      expect(component?.purl).toBe(`pkg:npm/${name}@${component?.version}`);
      expect(component?.hashes[0]?.alg).toBe("SHA-512");
    }
    expect(bom.components.some((c) => c.name === "typescript" || c.name === "biome")).toBe(false);
    const runtimes = bom.components.filter((c) => c.group === "@oven").map((c) => c.name);
    expect(runtimes).toContain(CROSS === "linux-arm64" ? "bun-linux-aarch64" : "bun-linux-x64");
    expect(runtimes).toHaveLength(2);
  });

  test("the host binary from its archive runs --version, version, validate and the demo", () => {
    const binary = extract(HOST);
    const short = run([binary, "--version"], ROOT);
    expect(short).toMatchObject({ code: 0, stdout: `agentry ${result.version}\n` });
    const long = run([binary, "version"], ROOT);
    expect(long.code).toBe(0);
    expect(long.stdout).toContain(`target: ${HOST}`);
    expect(long.stdout).toContain(`built:  ${new Date(EPOCH * 1000).toISOString()}`);
    expect(long.stdout).toContain(`commit: ${result.commit}`);
    const validate = run([binary, "validate", "-c", "configs/demo.toml"], ROOT);
    expect(validate.stderr + validate.stdout).toContain("ok");
    expect(validate.code).toBe(0);
    const demo = Bun.spawnSync(
      [binary, "run", "-c", "configs/demo.toml", "What is in the workspace, and what is left to do?"],
      {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: process.env["PATH"] ?? "", AGENTRY_STATE_DIR: join(work, "demo-state") },
      },
    );
    expect(demo.stderr.toString()).toContain("✓ files");
    expect(demo.stdout.toString()).toStartWith("The workspace holds two files");
    expect(demo.exitCode).toBe(0);
  });

  test("the cross binary is an executable for its architecture", () => {
    const header = Buffer.alloc(20);
    const fd = openSync(extract(CROSS), "r");
    readSync(fd, header, 0, 20, 0);
    expect(header.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(header.readUInt16LE(18)).toBe(CROSS === "linux-arm64" ? 183 : 62);
  });
});

describe("scripts/release.ts command line", () => {
  test("refuses to publish: without --snapshot it exits 2 and says why", () => {
    const refused = run([process.execPath, "scripts/release.ts"], ROOT);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--snapshot");
  });

  test("an undeclared target exits 2 naming it, before building anything", () => {
    const bad = run(
      [
        process.execPath,
        "scripts/release.ts",
        "--snapshot",
        "--targets",
        "plan9-x64",
        "--out",
        join(work, "bad"),
      ],
      ROOT,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("plan9-x64");
    expect(existsSync(join(work, "bad"))).toBe(false);
  });
});

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadReleaseConfig, parseReleaseConfig } from "../../scripts/release/config.ts";
import { ConfigError } from "../../src/spec/errors.ts";

const CONFIG = join(import.meta.dir, "../../.goreleaser-like.yml");

function shipped(): Record<string, unknown> {
  return Bun.YAML.parse(readFileSync(CONFIG, "utf8")) as Record<string, unknown>;
}

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseReleaseConfig(raw, "release.yml");
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(({ path, message }) => ({ path, message }));
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the shipped .goreleaser-like.yml", () => {
  test("declares the eleven SPEC §11 targets with their Bun compile targets", () => {
    const config = loadReleaseConfig(CONFIG);
    expect(config.project_name).toBe("agentry");
    expect(config.targets).toEqual({
      "linux-x64": "bun-linux-x64",
      "linux-arm64": "bun-linux-arm64",
      "linux-x64-musl": "bun-linux-x64-musl",
      "linux-arm64-musl": "bun-linux-arm64-musl",
      "darwin-x64": "bun-darwin-x64",
      "darwin-arm64": "bun-darwin-arm64",
      "windows-x64": "bun-windows-x64",
      "linux-x64-baseline": "bun-linux-x64-baseline",
      "linux-x64-musl-baseline": "bun-linux-x64-musl-baseline",
      "darwin-x64-baseline": "bun-darwin-x64-baseline",
      "windows-x64-baseline": "bun-windows-x64-baseline",
    });
    expect(config.archives.format).toBe("tar.gz");
    expect(config.archives.format_overrides).toEqual({ windows: "zip" });
    expect(config.checksum.name_template).toBe("SHA256SUMS");
    expect(config.sbom).toMatchObject({ format: "cyclonedx-json", spec_version: "1.5" });
    expect(config.sign).toMatchObject({ algorithm: "ed25519", key_env: "AGENTRY_SIGNING_KEY" });
  });
});

describe("parseReleaseConfig names the offending key", () => {
  test("an unknown key", () => {
    const raw = shipped();
    raw["publish"] = { github: true };
    raw["archives"] = { ...(raw["archives"] as object), compression: "xz" };
    const issues = issuesOf(raw);
    expect(issues).toHaveLength(2);
    expect(issues).toContainEqual({ path: "publish", message: "unknown key" });
    expect(issues).toContainEqual({ path: "archives.compression", message: "unknown key" });
  });

  test("a target that is not a Bun compile target", () => {
    const raw = shipped();
    raw["targets"] = { "linux-x64": "bun-linux-x64", "solaris-x64": "bun-solaris-x64" };
    expect(issuesOf(raw)).toEqual([
      { path: "targets.solaris-x64", message: expect.stringContaining("not a Bun compile target") },
    ]);
  });

  test("musl outside Linux and baseline outside x64", () => {
    const raw = shipped();
    raw["targets"] = { a: "bun-darwin-arm64-musl", b: "bun-linux-arm64-baseline" };
    expect(issuesOf(raw).map((issue) => issue.path)).toEqual(["targets.a", "targets.b"]);
  });

  test("an unknown template variable and a path in a file name", () => {
    const raw = shipped();
    raw["archives"] = { ...(raw["archives"] as object), name_template: "{{project}}_{{goos}}" };
    raw["checksum"] = { name_template: "sums/SHA256SUMS", algorithm: "sha256" };
    const issues = issuesOf(raw);
    expect(issues).toContainEqual({
      path: "archives.name_template",
      message: expect.stringContaining("{{goos}}"),
    });
    expect(issues).toContainEqual({
      path: "checksum.name_template",
      message: "must be a file name, not a path",
    });
  });

  test("every problem at once, including missing sections", () => {
    const raw = shipped();
    delete raw["sbom"];
    raw["sign"] = { ...(raw["sign"] as object), algorithm: "rsa" };
    raw["targets"] = {};
    const issues = issuesOf(raw);
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(["sbom", "sign.algorithm", "targets"]),
    );
    expect(issues).toContainEqual({ path: "sbom", message: "missing (expected object)" });
  });

  test("unreadable YAML is a ConfigError naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "release-config-"));
    const file = join(dir, "broken.yml");
    writeFileSync(file, "targets: [unclosed\n  - : :");
    expect(() => loadReleaseConfig(file)).toThrow(ConfigError);
    try {
      loadReleaseConfig(file);
    } catch (error) {
      expect((error as ConfigError).issues[0]).toMatchObject({
        file,
        message: expect.stringContaining("YAML"),
      });
    }
  });
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadReleaseConfig } from "../../scripts/release/config.ts";
import { parseBunTarget, resolveTargets, variantOf } from "../../scripts/release/targets.ts";
import { renderTemplate, TemplateError, templateVariables } from "../../scripts/release/template.ts";
import { UsageError } from "../../src/spec/errors.ts";

const config = loadReleaseConfig(join(import.meta.dir, "../../.goreleaser-like.yml"));

describe("renderTemplate", () => {
  test("substitutes every variable, with or without inner spaces", () => {
    expect(
      renderTemplate("{{project}}_{{ version }}{{variant}}", { project: "a", version: "1.0", variant: "" }),
    ).toBe("a_1.0");
    expect(templateVariables("{{a}}-{{ b }}-{{a}}")).toEqual(["a", "b", "a"]);
  });

  test("an unknown variable throws naming it instead of rendering empty", () => {
    expect(() => renderTemplate("{{project}}_{{goos}}", { project: "a" })).toThrow(TemplateError);
    expect(() => renderTemplate("{{project}}_{{goos}}", { project: "a" })).toThrow("{{goos}}");
  });

  test("unbalanced braces are rejected", () => {
    expect(() => renderTemplate("{{project}", { project: "a" })).toThrow("unbalanced");
  });
});

describe("parseBunTarget", () => {
  test("derives os, arch, libc, cpu and the @oven runtime package", () => {
    expect(parseBunTarget("bun-linux-arm64-musl")).toEqual({
      os: "linux",
      arch: "arm64",
      libc: "musl",
      cpu: "default",
      runtimePackage: "@oven/bun-linux-aarch64-musl",
    });
    expect(parseBunTarget("bun-linux-x64-musl-baseline")).toMatchObject({
      libc: "musl",
      cpu: "baseline",
      runtimePackage: "@oven/bun-linux-x64-musl-baseline",
    });
    expect(parseBunTarget("bun-darwin-aarch64")).toMatchObject({
      arch: "arm64",
      runtimePackage: "@oven/bun-darwin-aarch64",
    });
    expect(parseBunTarget("bun-windows-x64-baseline")).toMatchObject({ os: "windows", cpu: "baseline" });
  });

  test("returns a message for what Bun cannot build", () => {
    for (const bad of [
      "linux-x64",
      "bun-linux-riscv64",
      "bun-linux-x64-musl-musl",
      "bun-linux-x64-baseline-modern",
    ]) {
      expect(typeof parseBunTarget(bad)).toBe("string");
    }
  });

  test("variant suffixes", () => {
    expect(variantOf({ libc: "glibc", cpu: "default" })).toBe("");
    expect(variantOf({ libc: "musl", cpu: "default" })).toBe("_musl");
    expect(variantOf({ libc: "glibc", cpu: "baseline" })).toBe("_baseline");
    expect(variantOf({ libc: "musl", cpu: "baseline" })).toBe("_musl_baseline");
  });
});

describe("resolveTargets with the shipped config", () => {
  test("archive names follow agentry_{{version}}_{{os}}_{{arch}}{{variant}} with the per-OS format", () => {
    const byName = Object.fromEntries(resolveTargets(config, "1.2.3").map((t) => [t.name, t]));
    expect(Object.keys(byName)).toHaveLength(11);
    expect(byName["linux-x64"]).toMatchObject({
      archiveFile: "agentry_1.2.3_linux_x64.tar.gz",
      binaryFile: "agentry",
    });
    expect(byName["linux-arm64-musl"]!.archiveFile).toBe("agentry_1.2.3_linux_arm64_musl.tar.gz");
    expect(byName["linux-x64-musl-baseline"]!.archiveFile).toBe(
      "agentry_1.2.3_linux_x64_musl_baseline.tar.gz",
    );
    expect(byName["darwin-arm64"]!.archiveFile).toBe("agentry_1.2.3_darwin_arm64.tar.gz");
    expect(byName["windows-x64"]).toMatchObject({
      archiveFile: "agentry_1.2.3_windows_x64.zip",
      archiveBase: "agentry_1.2.3_windows_x64",
      binaryFile: "agentry.exe",
      format: "zip",
    });
    expect(byName["windows-x64-baseline"]!.archiveFile).toBe("agentry_1.2.3_windows_x64_baseline.zip");
  });

  test("--targets keeps config order and rejects undeclared names", () => {
    expect(resolveTargets(config, "1.0.0", ["windows-x64", "linux-arm64"]).map((t) => t.name)).toEqual([
      "linux-arm64",
      "windows-x64",
    ]);
    expect(() => resolveTargets(config, "1.0.0", ["linux-x64", "freebsd-x64"])).toThrow(UsageError);
    expect(() => resolveTargets(config, "1.0.0", ["freebsd-x64"])).toThrow("freebsd-x64");
  });
});

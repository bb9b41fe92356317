/**
 * What a Bun compile target (`bun-linux-x64-musl-baseline`, `bun-darwin-arm64`, …) means for a
 * release: the os/arch/variant used in archive names, the archive format, the executable's
 * file name, and which `@oven/bun-*` npm package supplies the runtime Bun embeds.
 */

import { UsageError } from "../../src/spec/errors.ts";
import type { ArchiveFormat, ReleaseConfig } from "./config.ts";
import { renderTemplate } from "./template.ts";

/** Operating systems Bun can compile for. */
export type TargetOs = "linux" | "darwin" | "windows";

/** The facts encoded in a Bun compile target string. */
export interface BunTargetFacts {
  os: TargetOs;
  /** `x64` or `arm64` (`aarch64` is normalised to `arm64`). */
  arch: "x64" | "arm64";
  libc: "glibc" | "musl";
  /** `baseline` builds run on x64 CPUs without AVX2 (Nehalem and later). */
  cpu: "default" | "baseline";
  /** npm package Bun downloads the target's runtime from, e.g. `@oven/bun-linux-aarch64-musl`. */
  runtimePackage: string;
}

const BUN_TARGET = /^bun-(linux|darwin|windows)-(x64|arm64|aarch64)((?:-(?:baseline|modern|musl|glibc))*)$/;

/**
 * Parses a Bun compile target. Returns a message instead of facts when the string is not one Bun
 * accepts for this release pipeline (unknown os/arch, musl off Linux, baseline off x64, repeats).
 */
export function parseBunTarget(value: string): BunTargetFacts | string {
  const match = BUN_TARGET.exec(value);
  if (!match) {
    return `"${value}" is not a Bun compile target (expected bun-<linux|darwin|windows>-<x64|arm64>[-musl][-baseline])`;
  }
  const os = match[1] as TargetOs;
  const arch = match[2] === "x64" ? "x64" : "arm64";
  const suffixes = match[3]!.split("-").filter(Boolean);
  if (new Set(suffixes).size !== suffixes.length) return `"${value}" repeats a suffix`;
  if (suffixes.includes("baseline") && suffixes.includes("modern")) {
    return `"${value}" cannot be both baseline and modern`;
  }
  const libc = suffixes.includes("musl") ? "musl" : "glibc";
  const cpu = suffixes.includes("baseline") ? "baseline" : "default";
  if (libc === "musl" && os !== "linux") return `"${value}": musl exists only for linux`;
  if (suffixes.includes("glibc") && os !== "linux") return `"${value}": glibc exists only for linux`;
  if (cpu === "baseline" && arch !== "x64") return `"${value}": baseline builds exist only for x64`;
  const runtimeArch = arch === "arm64" ? "aarch64" : "x64";
  const runtimePackage = `@oven/bun-${[os, runtimeArch, libc === "musl" ? "musl" : "", cpu === "baseline" ? "baseline" : ""].filter(Boolean).join("-")}`;
  return { os, arch, libc, cpu, runtimePackage };
}

/** One target of a release with every derived name resolved. */
export interface ReleaseTarget extends BunTargetFacts {
  /** Config key, e.g. `linux-x64-musl`; what `agentry version` prints as its target. */
  name: string;
  bunTarget: string;
  /** `""`, `"_musl"`, `"_baseline"` or `"_musl_baseline"`. */
  variant: string;
  format: ArchiveFormat;
  /** Archive name without extension; also the top-level directory when wrapping. */
  archiveBase: string;
  archiveFile: string;
  /** `agentry` or `agentry.exe`. */
  binaryFile: string;
}

/** Variant suffix used by `{{variant}}`: empty for the default glibc, AVX2 build. */
export function variantOf(facts: Pick<BunTargetFacts, "libc" | "cpu">): string {
  const parts = [facts.libc === "musl" ? "musl" : "", facts.cpu === "baseline" ? "baseline" : ""];
  const joined = parts.filter(Boolean).join("_");
  return joined ? `_${joined}` : "";
}

/**
 * Resolves the configured targets, in config order. `only` restricts them to the named ones and
 * throws `UsageError` naming any name the config does not declare.
 */
export function resolveTargets(
  config: ReleaseConfig,
  version: string,
  only?: readonly string[],
): ReleaseTarget[] {
  const declared = Object.keys(config.targets);
  const unknown = (only ?? []).filter((name) => !declared.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown target(s) ${unknown.join(", ")}; declared: ${declared.join(", ")}`);
  }
  const names = only ? declared.filter((name) => only.includes(name)) : declared;
  return names.map((name) => {
    const bunTarget = config.targets[name]!;
    const facts = parseBunTarget(bunTarget);
    if (typeof facts === "string") throw new Error(`targets.${name}: ${facts}`);
    const variant = variantOf(facts);
    const format = config.archives.format_overrides[facts.os] ?? config.archives.format;
    const archiveBase = renderTemplate(config.archives.name_template, {
      project: config.project_name,
      version,
      os: facts.os,
      arch: facts.arch,
      variant,
      target: name,
    });
    return {
      ...facts,
      name,
      bunTarget,
      variant,
      format,
      archiveBase,
      archiveFile: `${archiveBase}.${format}`,
      binaryFile: facts.os === "windows" ? `${config.binary}.exe` : config.binary,
    };
  });
}

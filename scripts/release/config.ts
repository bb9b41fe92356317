/**
 * Reads and validates `.goreleaser-like.yml`. YAML is parsed by Bun's built-in parser (this is a
 * build script, never library code) and checked with zod; every problem becomes a `ConfigIssue`
 * naming the key, and all of them are reported together in one `ConfigError`.
 */

import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../../src/spec/errors.ts";
import { parseBunTarget } from "./targets.ts";
import { templateVariables } from "./template.ts";

/** Variables each template may use; anything else is a configuration error. */
export const TEMPLATE_VARIABLES = {
  archive: ["project", "version", "os", "arch", "variant", "target"],
  sbom: ["project", "version"],
  checksum: ["project", "version"],
  signature: ["project", "version", "checksum"],
  publicKey: ["project", "version"],
} as const;

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function template(allowed: readonly string[]) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      for (const name of templateVariables(value)) {
        if (!allowed.includes(name)) {
          ctx.addIssue({
            code: "custom",
            message: `unknown template variable {{${name}}}; allowed here: ${allowed.join(", ")}`,
          });
        }
      }
      if (value.includes("/") || value.includes("\\")) {
        ctx.addIssue({ code: "custom", message: "must be a file name, not a path" });
      }
    });
}

const archiveFormat = z.enum(["tar.gz", "zip"]);

const releaseConfigSchema = z.strictObject({
  project_name: z.string().regex(SAFE_NAME, "letters, digits, '.', '_' or '-'"),
  binary: z.string().regex(SAFE_NAME, "letters, digits, '.', '_' or '-'"),
  targets: z
    .record(
      z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lower-case words joined by '-'"),
      z.string().superRefine((value, ctx) => {
        const problem = parseBunTarget(value);
        if (typeof problem === "string") ctx.addIssue({ code: "custom", message: problem });
      }),
    )
    .refine((targets) => Object.keys(targets).length > 0, "declare at least one target"),
  archives: z.strictObject({
    name_template: template(TEMPLATE_VARIABLES.archive),
    wrap_in_directory: z.boolean().default(true),
    format: archiveFormat,
    format_overrides: z.partialRecord(z.enum(["linux", "darwin", "windows"]), archiveFormat).default({}),
    files: z.array(z.string().min(1)).default([]),
  }),
  checksum: z.strictObject({
    name_template: template(TEMPLATE_VARIABLES.checksum),
    algorithm: z.literal("sha256"),
  }),
  sbom: z.strictObject({
    format: z.literal("cyclonedx-json"),
    spec_version: z.literal("1.5"),
    name_template: template(TEMPLATE_VARIABLES.sbom),
    lockfile: z.string().min(1),
  }),
  sign: z.strictObject({
    algorithm: z.literal("ed25519"),
    key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name"),
    signature_template: template(TEMPLATE_VARIABLES.signature),
    public_key_name: template(TEMPLATE_VARIABLES.publicKey),
  }),
});

/** The validated release configuration, defaults applied. */
export type ReleaseConfig = z.output<typeof releaseConfigSchema>;

/** Archive format of one target. */
export type ArchiveFormat = z.output<typeof archiveFormat>;

function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === "number" ? `[${part}]` : String(part))).join(".");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return `missing (expected ${issue.expected})`;
  }
  return issue.message;
}

/**
 * Validates already-parsed YAML. `file` only labels the issues. Throws `ConfigError` with one
 * issue per problem, each naming its key (`archives.name_template`, `targets.linux-x64`, …).
 */
export function parseReleaseConfig(raw: unknown, file: string): ReleaseConfig {
  const result = releaseConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues: ConfigIssue[] = result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ file, path: dottedPath([...issue.path, key]), message: "unknown key" }))
        : [{ file, path: dottedPath(issue.path), message: describeIssue(issue) }],
    );
    throw new ConfigError(issues, `${file}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
  return result.data;
}

/** Reads, YAML-parses and validates the release configuration at `file`. */
export function loadReleaseConfig(file: string): ReleaseConfig {
  let raw: unknown;
  try {
    raw = Bun.YAML.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ file, path: "", message: `cannot read YAML: ${message}` }]);
  }
  return parseReleaseConfig(raw, file);
}

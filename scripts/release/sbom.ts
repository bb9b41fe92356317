/**
 * A CycloneDX 1.5 JSON SBOM for a release: every npm package of the production dependency tree
 * in package-lock.json (name, version, purl, license, the lockfile's tarball integrity as hashes),
 * the Bun runtime each target embeds, and the dependency graph between them. The document is a
 * pure function of its inputs (timestamp from SOURCE_DATE_EPOCH, serial number derived from the
 * content), so reproducible builds give identical SBOMs.
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import { ConfigError } from "../../src/spec/errors.ts";

const lockPackage = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  license: z.string().optional(),
  integrity: z.string().optional(),
  resolved: z.string().optional(),
  dev: z.boolean().optional(),
  link: z.boolean().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
});

const lockfileSchema = z.looseObject({
  lockfileVersion: z.union([z.literal(2), z.literal(3)]),
  packages: z.record(z.string(), lockPackage),
});

type LockPackage = z.output<typeof lockPackage>;

/** One npm package of the production tree. */
export interface NpmComponent {
  /** Path in the lockfile, e.g. `node_modules/npm-run-path/node_modules/path-key`. */
  lockPath: string;
  name: string;
  version: string;
  license: string | undefined;
  integrity: string | undefined;
  dependsOn: string[];
}

function packageName(lockPath: string, entry: LockPackage): string {
  return entry.name ?? lockPath.slice(lockPath.lastIndexOf("node_modules/") + "node_modules/".length);
}

function resolveFrom(packages: Record<string, LockPackage>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === "") return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut === -1 ? "" : dir.slice(0, cut);
  }
}

/** The production tree: the root's direct dependencies and every package reachable from them. */
export interface ProductionTree {
  /** Lock paths of the root package's direct dependencies. */
  direct: string[];
  packages: NpmComponent[];
}

function dependencyPaths(packages: Record<string, LockPackage>, from: string, file: string): string[] {
  const entry = packages[from]!;
  const wanted = [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
  ];
  return wanted.flatMap(({ name, optional }) => {
    const target = resolveFrom(packages, from, name);
    if (target !== undefined) return [target];
    if (optional) return [];
    throw new ConfigError([
      { file, path: `packages.${from || "(root)"}`, message: `dependency ${name} is not in the lock` },
    ]);
  });
}

/**
 * Walks the production dependency tree of a parsed package-lock.json (v2/v3) from the root's
 * `dependencies` and `optionalDependencies`, resolving names the way npm lays them out. Optional
 * packages absent from the lock (other platforms) are skipped; a missing required one throws.
 */
export function productionTree(lockJson: unknown, file = "package-lock.json"): ProductionTree {
  const parsed = lockfileSchema.safeParse(lockJson);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ file, path: issue.path.join("."), message: issue.message })),
    );
  }
  const packages = parsed.data.packages;
  if (!packages[""]) throw new ConfigError([{ file, path: "packages", message: "no root package entry" }]);
  const direct = dependencyPaths(packages, "", file);
  const found = new Map<string, NpmComponent>();
  const queue = [...direct];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (found.has(path)) continue;
    const entry = packages[path]!;
    const dependsOn = dependencyPaths(packages, path, file);
    found.set(path, {
      lockPath: path,
      name: packageName(path, entry),
      version: entry.version ?? "0.0.0",
      license: entry.license,
      integrity: entry.integrity,
      dependsOn,
    });
    queue.push(...dependsOn);
  }
  return { direct, packages: [...found.values()].sort((a, b) => (a.lockPath < b.lockPath ? -1 : 1)) };
}

/** `pkg:npm/%40scope/name@version`, as the purl spec writes npm packages. */
export function npmPurl(name: string, version: string): string {
  const encoded = name.startsWith("@") ? `%40${name.slice(1)}` : name;
  return `pkg:npm/${encoded}@${encodeURIComponent(version)}`;
}

const HASH_ALGORITHMS: Record<string, string> = {
  sha512: "SHA-512",
  sha384: "SHA-384",
  sha256: "SHA-256",
  sha1: "SHA-1",
};

/** Subresource-integrity strings (`sha512-<base64>`) as CycloneDX hashes (`{ alg, content: hex }`). */
export function integrityHashes(integrity: string | undefined): { alg: string; content: string }[] {
  if (!integrity) return [];
  return integrity.split(/\s+/).flatMap((part) => {
    const dash = part.indexOf("-");
    const alg = HASH_ALGORITHMS[part.slice(0, dash)];
    return alg ? [{ alg, content: Buffer.from(part.slice(dash + 1), "base64").toString("hex") }] : [];
  });
}

function licenses(license: string | undefined): object[] {
  if (!license) return [];
  return /\s(OR|AND|WITH)\s|[()]/.test(license) ? [{ expression: license }] : [{ license: { id: license } }];
}

/** The Bun runtime embedded in one target's executable. */
export interface RuntimeComponent {
  target: string;
  /** npm package Bun fetched it from, e.g. `@oven/bun-linux-aarch64`. */
  packageName: string;
  version: string;
  /** SHA-512 integrity of that package's tarball, when package-lock.json records it. */
  integrity: string | undefined;
  /** Hex SHA-256 of the runtime executable that was embedded, when it could be located. */
  executableSha256: string | undefined;
}

/** Everything the SBOM describes. */
export interface SbomInput {
  project: { name: string; version: string; license: string | undefined; commit: string };
  epoch: number;
  bunVersion: string;
  npm: ProductionTree;
  runtimes: readonly RuntimeComponent[];
}

function splitName(name: string): { group?: string; name: string } {
  const slash = name.indexOf("/");
  return name.startsWith("@") && slash > 0
    ? { group: name.slice(0, slash), name: name.slice(slash + 1) }
    : { name };
}

function uuidFrom(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Builds the CycloneDX 1.5 document as a plain JSON value. */
export function buildSbom(input: SbomInput): Record<string, unknown> {
  const root = npmPurl(input.project.name, input.project.version);
  const refOf = new Map(input.npm.packages.map((c) => [c.lockPath, npmPurl(c.name, c.version)]));
  const unique = [...new Map(input.npm.packages.map((c) => [refOf.get(c.lockPath)!, c])).values()];
  const libraries = unique.map((c) => ({
    type: "library",
    "bom-ref": refOf.get(c.lockPath),
    ...splitName(c.name),
    version: c.version,
    purl: npmPurl(c.name, c.version),
    licenses: licenses(c.license),
    hashes: integrityHashes(c.integrity),
  }));
  const runtimes = input.runtimes.map((r) => ({
    type: "application",
    "bom-ref": `${npmPurl(r.packageName, r.version)}#${r.target}`,
    ...splitName(r.packageName),
    version: r.version,
    description: `Bun runtime embedded in the ${r.target} executable`,
    purl: npmPurl(r.packageName, r.version),
    licenses: licenses("MIT"),
    hashes: integrityHashes(r.integrity),
    properties: [
      { name: "agentry:target", value: r.target },
      ...(r.executableSha256
        ? [{ name: "agentry:runtime-executable-sha256", value: r.executableSha256 }]
        : []),
    ],
  }));
  const dependencies = [
    {
      ref: root,
      dependsOn: [...input.npm.direct.map((path) => refOf.get(path)!), ...runtimes.map((r) => r["bom-ref"])],
    },
    ...input.npm.packages.map((c) => ({
      ref: refOf.get(c.lockPath)!,
      dependsOn: c.dependsOn.map((p) => refOf.get(p)!),
    })),
    ...runtimes.map((r) => ({ ref: r["bom-ref"], dependsOn: [] })),
  ];
  const body = {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    version: 1,
    metadata: {
      timestamp: new Date(input.epoch * 1000).toISOString().replace(".000Z", "Z"),
      tools: { components: [{ type: "application", name: "bun", version: input.bunVersion }] },
      component: {
        type: "application",
        "bom-ref": root,
        name: input.project.name,
        version: input.project.version,
        purl: root,
        licenses: licenses(input.project.license),
        properties: [{ name: "agentry:commit", value: input.project.commit }],
      },
    },
    components: [...libraries, ...runtimes],
    dependencies,
  };
  return { ...body, serialNumber: `urn:uuid:${uuidFrom(JSON.stringify(body))}` };
}

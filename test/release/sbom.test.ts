import { describe, expect, test } from "bun:test";
import { buildSbom, integrityHashes, npmPurl, productionTree } from "../../scripts/release/sbom.ts";
import { ConfigError } from "../../src/spec/errors.ts";

const sha512 = `sha512-${Buffer.alloc(64, 1).toString("base64")}`;

const lock = {
  name: "app",
  lockfileVersion: 3,
  packages: {
    "": {
      name: "app",
      version: "1.0.0",
      dependencies: { a: "^1", "@s/b": "^2" },
      optionalDependencies: { "fsevents-like": "^1" },
      devDependencies: { tool: "^9" },
    },
    "node_modules/a": { version: "1.1.0", license: "MIT", integrity: sha512, dependencies: { c: "^3" } },
    "node_modules/a/node_modules/c": { version: "3.0.0", license: "ISC" },
    "node_modules/@s/b": { version: "2.0.0", license: "MIT OR Apache-2.0", dependencies: { c: "^4" } },
    "node_modules/c": { version: "4.0.0", license: "MIT" },
    "node_modules/tool": { version: "9.0.0", dev: true, dependencies: { c: "^4" } },
  },
};

describe("productionTree", () => {
  test("follows npm's nesting, skips dev-only and absent optional packages", () => {
    const tree = productionTree(lock);
    expect(tree.direct).toEqual(["node_modules/a", "node_modules/@s/b"]);
    expect(tree.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      "@s/b@2.0.0",
      "a@1.1.0",
      "c@3.0.0",
      "c@4.0.0",
    ]);
    expect(tree.packages.find((p) => p.name === "a")!.dependsOn).toEqual(["node_modules/a/node_modules/c"]);
    expect(tree.packages.find((p) => p.name === "@s/b")!.dependsOn).toEqual(["node_modules/c"]);
  });

  test("a required dependency missing from the lock is a ConfigError", () => {
    const broken = structuredClone(lock);
    delete (broken.packages as Record<string, unknown>)["node_modules/c"];
    expect(() => productionTree(broken)).toThrow(ConfigError);
    expect(() => productionTree({ lockfileVersion: 1, dependencies: {} })).toThrow(ConfigError);
  });
});

describe("CycloneDX pieces", () => {
  test("purls encode the scope; integrity becomes hex hashes", () => {
    expect(npmPurl("@oven/bun-linux-x64", "1.4.5")).toBe("pkg:npm/%40oven/bun-linux-x64@1.4.5");
    expect(npmPurl("zod", "4.0.0")).toBe("pkg:npm/zod@4.0.0");
    expect(integrityHashes(sha512)).toEqual([{ alg: "SHA-512", content: "01".repeat(64) }]);
    expect(integrityHashes(undefined)).toEqual([]);
  });

  test("the document: libraries, runtimes, dependency graph, deterministic serial", () => {
    const input = {
      project: { name: "app", version: "1.0.0", license: "Apache-2.0", commit: "abc" },
      epoch: 1_700_000_000,
      bunVersion: "1.4.5",
      npm: productionTree(lock),
      runtimes: [
        {
          target: "linux-arm64",
          packageName: "@oven/bun-linux-aarch64",
          version: "1.4.5",
          integrity: undefined,
          executableSha256: "ab".repeat(32),
        },
      ],
    };
    const bom = buildSbom(input);
    expect(bom).toMatchObject({
      bomFormat: "CycloneDX",
      specVersion: "1.5",
      metadata: { timestamp: "2023-11-14T22:13:20Z", component: { name: "app", purl: "pkg:npm/app@1.0.0" } },
    });
    expect(bom["serialNumber"]).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(buildSbom(input)).toEqual(bom);
    expect(buildSbom({ ...input, epoch: 1 })["serialNumber"]).not.toBe(bom["serialNumber"]);
    const components = bom["components"] as Record<string, unknown>[];
    expect(components.find((c) => c["name"] === "b")).toMatchObject({
      group: "@s",
      licenses: [{ expression: "MIT OR Apache-2.0" }],
    });
    expect(components.find((c) => c["name"] === "a")).toMatchObject({
      licenses: [{ license: { id: "MIT" } }],
      hashes: [{ alg: "SHA-512" }],
    });
    expect(components.find((c) => c["name"] === "bun-linux-aarch64")).toMatchObject({
      group: "@oven",
      properties: [
        { name: "agentry:target", value: "linux-arm64" },
        { name: "agentry:runtime-executable-sha256", value: "ab".repeat(32) },
      ],
    });
    const deps = bom["dependencies"] as { ref: string; dependsOn: string[] }[];
    expect(deps.find((d) => d.ref === "pkg:npm/app@1.0.0")!.dependsOn).toEqual([
      "pkg:npm/a@1.1.0",
      "pkg:npm/%40s/b@2.0.0",
      "pkg:npm/%40oven/bun-linux-aarch64@1.4.5#linux-arm64",
    ]);
    expect(deps.find((d) => d.ref === "pkg:npm/a@1.1.0")!.dependsOn).toEqual(["pkg:npm/c@3.0.0"]);
    const refs = [...components.map((c) => c["bom-ref"]), "pkg:npm/app@1.0.0"];
    for (const dep of deps) for (const ref of [dep.ref, ...dep.dependsOn]) expect(refs).toContain(ref);
  });
});

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findConfigPath } from "../../src/cli/config-path.ts";
import { UsageError } from "../../src/spec/errors.ts";

const root = mkdtempSync(join(tmpdir(), "config-path-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("findConfigPath", () => {
  const project = join(root, "project");
  const empty = join(root, "empty");
  const xdg = join(root, "xdg");
  mkdirSync(project);
  mkdirSync(empty);
  mkdirSync(join(xdg, "agentry"), { recursive: true });
  writeFileSync(join(project, "agentry.toml"), "");
  writeFileSync(join(project, "other.toml"), "");

  test("-c wins, relative to cwd", () => {
    expect(findConfigPath("other.toml", project, {})).toBe(join(project, "other.toml"));
  });
  test("-c naming a missing file or a directory is a usage error", () => {
    expect(() => findConfigPath("nope.toml", project, {})).toThrow(UsageError);
    expect(() => findConfigPath(".", project, {})).toThrow("is a directory");
  });
  test("./agentry.toml, then $XDG_CONFIG_HOME/agentry/agentry.toml", () => {
    expect(findConfigPath(undefined, project, { XDG_CONFIG_HOME: xdg })).toBe(join(project, "agentry.toml"));
    expect(() => findConfigPath(undefined, empty, { XDG_CONFIG_HOME: xdg })).toThrow(UsageError);
    writeFileSync(join(xdg, "agentry", "agentry.toml"), "");
    expect(findConfigPath(undefined, empty, { XDG_CONFIG_HOME: xdg })).toBe(
      join(xdg, "agentry", "agentry.toml"),
    );
  });
  test("without XDG_CONFIG_HOME the user file is under ~/.config", () => {
    let caught: unknown;
    try {
      findConfigPath(undefined, empty, { HOME: join(root, "home") });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toContain(
      join(root, "home", ".config", "agentry", "agentry.toml"),
    );
    expect((caught as UsageError).data["hint"]).toContain("agentry init");
  });
});

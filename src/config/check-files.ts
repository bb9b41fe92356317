import { accessSync, constants, readFileSync, statSync } from "node:fs";
import type { Report, SemanticInput } from "./issue-report.ts";
import type { KeyPath } from "./key-path.ts";

/**
 * Checks that files and directories named by the configuration exist and can be read:
 * instructions files, output schemas (which must also be JSON objects), replay cassettes (read
 * and validated exactly as the replay provider reads them, so `validate` fails where `run` would),
 * file-tool roots and shell working directories. Paths are already absolute; values that
 * still hold `${VAR}` are checked when used instead. The cassette reader (and zod, which it uses)
 * loads only when a replay provider names a cassette.
 */
export async function checkFiles({ config, report, show }: SemanticInput): Promise<void> {
  const check = (path: KeyPath, target: string, kind: "file" | "directory") =>
    checkReadable(report, path, target, kind, show);
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    if (agent.instructions_file !== undefined) {
      check(["agents", name, "instructions_file"], agent.instructions_file, "file");
    }
    if (agent.output_schema !== undefined) {
      const path = ["agents", name, "output_schema"];
      if (check(path, agent.output_schema, "file")) checkJsonSchema(report, path, agent.output_schema, show);
    }
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.kind === "replay" && provider.cassette !== undefined) {
      const path = ["providers", name, "cassette"];
      if (check(path, provider.cassette, "file")) await checkCassette(report, path, provider.cassette);
    }
  }
  for (const [name, tool] of Object.entries(config.tools ?? {})) {
    if (tool.kind === "file") check(["tools", name, "root"], tool.root, "directory");
    if (tool.kind === "shell" && tool.cwd !== undefined) {
      check(["tools", name, "cwd"], tool.cwd, "directory");
    }
  }
}

function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ENOENT") return "not found";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a parent is not a directory";
  return err instanceof Error ? err.message : String(err);
}

function checkReadable(
  report: Report,
  path: KeyPath,
  target: string,
  kind: "file" | "directory",
  show: (path: string) => string,
): boolean {
  if (target.includes("${")) return true;
  let problem: string | undefined;
  try {
    const stat = statSync(target);
    if (kind === "file" && !stat.isFile())
      problem = stat.isDirectory() ? "it is a directory" : "not a regular file";
    else if (kind === "directory" && !stat.isDirectory()) problem = "not a directory";
    else accessSync(target, constants.R_OK);
  } catch (err) {
    problem = reasonOf(err);
  }
  if (problem === undefined) return true;
  report(path, {
    message: `cannot read ${kind} ${show(target)}: ${problem}`,
    expected: `a readable ${kind}`,
  });
  return false;
}

function checkJsonSchema(report: Report, path: KeyPath, file: string, show: (path: string) => string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    report(path, {
      message: `output schema ${show(file)} is not valid JSON: ${reason}`,
      expected: "a JSON Schema object",
    });
    return;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    report(path, {
      message: `output schema ${show(file)} is not a JSON object`,
      expected: "a JSON Schema object",
    });
  }
}

async function checkCassette(report: Report, path: KeyPath, file: string): Promise<void> {
  if (file.includes("${")) return;
  const { loadCassette } = await import("../providers/replay/cassette.ts");
  try {
    loadCassette(file);
  } catch (err) {
    report(path, {
      message: err instanceof Error ? err.message : String(err),
      expected: 'an agentry cassette (line 1 {"agentry_cassette":1,…}, then one recorded turn per line)',
    });
  }
}

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolContext } from "../../src/spec/tool.ts";
import { createFileTool, fileParameters } from "../../src/tools/file/index.ts";
import { FILE_PARAMETERS_JSON } from "../../src/tools/file/parameters-json.ts";
import { parametersJsonSchema, toolSchemaOf } from "../../src/tools/registry.ts";

let base: string;
let root: string;
const ctx: ToolContext = { signal: new AbortController().signal, runId: "r", agent: "a", callId: "c" };

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "agentry-file-"));
  root = join(base, "root");
  mkdirSync(join(root, "src/deep"), { recursive: true });
  writeFileSync(join(root, "notes.txt"), "alpha\nbeta\ngamma\ndelta\n");
  writeFileSync(join(root, "src/app.ts"), "const a = 1;\n// TODO fix\nexport const b = 2;\n");
  writeFileSync(join(root, "src/deep/more.ts"), "todo lowercase\nTODO again\n");
  writeFileSync(join(base, "outside.txt"), "secret outside");
  symlinkSync(join(base, "outside.txt"), join(root, "escape-link"));
  symlinkSync(base, join(root, "escape-dir"));
  symlinkSync(join(root, "notes.txt"), join(root, "inner-link"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const reader = () => createFileTool("files", { kind: "file", root });
const writer = () => createFileTool("files", { kind: "file", root, write: true });

describe("file tool", () => {
  test.each([
    ["../outside.txt", "outside the tool's root"],
    ["src/../../outside.txt", "outside the tool's root"],
    ["/etc/passwd", "outside the tool's root"],
    ["escape-link", "through a symlink"],
    ["escape-dir/outside.txt", "through a symlink"],
  ])("reading %s is refused", async (path, reason) => {
    const result = await reader().execute({ op: "read", path }, ctx);
    expect(result.ok).toBe(false);
    expect(result.error).toContain(reason);
    expect(result.output).not.toContain("secret outside");
  });

  test("writing through an escaping symlink or to a new file outside is refused", async () => {
    const viaLink = await writer().execute({ op: "write", path: "escape-dir/new.txt", content: "x" }, ctx);
    expect(viaLink.error).toContain("through a symlink");
    const upward = await writer().execute({ op: "write", path: "../new.txt", content: "x" }, ctx);
    expect(upward.error).toContain("outside");
    expect(existsSync(join(base, "new.txt"))).toBe(false);
  });

  test("read numbers lines and honours offset and limit", async () => {
    const all = await reader().execute({ op: "read", path: "notes.txt" }, ctx);
    expect(all.output).toBe("1\talpha\n2\tbeta\n3\tgamma\n4\tdelta");
    const window = await reader().execute({ op: "read", path: "notes.txt", offset: 2, limit: 2 }, ctx);
    expect(window.output).toBe(
      "2\tbeta\n3\tgamma\n[... more lines follow; continue with offset 4 (or byte_offset 17) ...]",
    );
    const viaInnerLink = await reader().execute({ op: "read", path: "inner-link", limit: 1 }, ctx);
    expect(viaInnerLink.output).toStartWith("1\talpha");
  });

  test("read stops at max_read bytes", async () => {
    writeFileSync(join(root, "big.txt"), "0123456789\n".repeat(10_000));
    const capped = createFileTool("files", { kind: "file", root, max_read: 100 });
    const result = await capped.execute({ op: "read", path: "big.txt" }, ctx);
    expect(result.output.length).toBeLessThan(200);
    expect(result.output).toContain("continue with offset");
  });

  test("list is one level, sorted, with directories marked", async () => {
    const result = await reader().execute({ op: "list", path: "." }, ctx);
    expect(result.output).toBe("escape-dir@\nescape-link@\ninner-link@\nnotes.txt\nsrc/");
    const sub = await reader().execute({ op: "list", path: "src" }, ctx);
    expect(sub.output).toBe("app.ts\ndeep/");
  });

  test("search finds substrings and /regex/flags with file:line: text", async () => {
    const plain = await reader().execute({ op: "search", path: ".", pattern: "TODO" }, ctx);
    expect(plain.output).toBe("src/app.ts:2: // TODO fix\nsrc/deep/more.ts:2: TODO again");
    const regex = await reader().execute({ op: "search", path: "src", pattern: "/^todo/i" }, ctx);
    expect(regex.output).toBe("src/deep/more.ts:1: todo lowercase\nsrc/deep/more.ts:2: TODO again");
    const bounded = await reader().execute({ op: "search", path: ".", pattern: "a", limit: 2 }, ctx);
    expect(bounded.output.split("\n")).toHaveLength(3);
    expect(bounded.output).toContain("more matches");
    const bad = await reader().execute({ op: "search", path: ".", pattern: "/(/" }, ctx);
    expect(bad.error).toContain("invalid regular expression");
  });

  test("search returns at most 10 000 matches whatever limit the model asks for (review 7)", async () => {
    writeFileSync(join(root, "many.txt"), "hit\n".repeat(12_000));
    const result = await reader().execute(
      { op: "search", path: "many.txt", pattern: "hit", limit: 1e9 },
      ctx,
    );
    expect(result.meta).toEqual({ matches: 10_000, more: true });
  });

  test("search does not follow symlinks out of the root", async () => {
    const result = await reader().execute({ op: "search", path: ".", pattern: "secret" }, ctx);
    expect(result.output).toBe("no matches");
  });

  test("write is refused unless enabled, and writes when it is", async () => {
    expect(reader().readOnly).toBe(true);
    const refused = await reader().execute({ op: "write", path: "new/file.txt", content: "hi" }, ctx);
    expect(refused.error).toContain("read-only");
    expect(existsSync(join(root, "new"))).toBe(false);
    expect(writer().readOnly).toBe(false);
    const written = await writer().execute({ op: "write", path: "new/file.txt", content: "hi" }, ctx);
    expect(written.output).toBe("wrote 2 bytes to new/file.txt");
    expect(readFileSync(join(root, "new/file.txt"), "utf8")).toBe("hi");
  });

  test("a dangling symlink is never written through, inside or outside the root", async () => {
    symlinkSync(join(base, "created-outside.txt"), join(root, "dangling-out"));
    symlinkSync(join(root, "created-inside.txt"), join(root, "dangling-in"));
    for (const path of ["dangling-out", "dangling-in"]) {
      const result = await writer().execute({ op: "write", path, content: "x" }, ctx);
      expect(result.ok).toBe(false);
      expect(result.error).toContain("symlink whose target does not exist");
    }
    expect(existsSync(join(base, "created-outside.txt"))).toBe(false);
    expect(existsSync(join(root, "created-inside.txt"))).toBe(false);
  });

  test("an existing file is replaced in place; a FIFO is refused for reading and writing", async () => {
    const replaced = await writer().execute({ op: "write", path: "notes.txt", content: "new" }, ctx);
    expect(replaced.output).toBe("wrote 3 bytes to notes.txt");
    expect(readFileSync(join(root, "notes.txt"), "utf8")).toBe("new");
    execFileSync("mkfifo", [join(root, "pipe")]);
    const read = await reader().execute({ op: "read", path: "pipe" }, ctx);
    expect(read.error).toBe("pipe is a named pipe (FIFO), not a regular file");
    const write = await writer().execute({ op: "write", path: "pipe", content: "x" }, ctx);
    expect(write.error).toStartWith("pipe is a named pipe (FIFO)");
    const listed = await reader().execute({ op: "search", path: ".", pattern: "alpha" }, ctx);
    expect(listed.ok).toBe(true);
  });

  test("a device is refused", async () => {
    const outsideRoot = createFileTool("files", { kind: "file", root: "/dev" });
    const result = await outsideRoot.execute({ op: "read", path: "zero" }, ctx);
    expect(result.error).toBe("zero is a device, not a regular file");
  });

  test("a line longer than max_read is shown cut, and byte_offset reads the rest to the end", async () => {
    const line = "é".repeat(150) + "x".repeat(50);
    writeFileSync(join(root, "long.txt"), `${line}\nnext\n`);
    const capped = createFileTool("files", { kind: "file", root, max_read: 101 });
    const first = await capped.execute({ op: "read", path: "long.txt" }, ctx);
    expect(first.output).toStartWith(`1\t${"é".repeat(49)}\n[... line 1 is longer`);
    expect(first.output).toContain("continue with byte_offset 98 ...]");
    let text = first.output.slice(2, first.output.indexOf("\n"));
    let next = first.meta?.["next_byte"] as number | undefined;
    while (next !== undefined) {
      const part = await capped.execute({ op: "read", path: "long.txt", byte_offset: next }, ctx);
      const note = part.output.lastIndexOf("\n[...");
      text += note >= 0 ? part.output.slice(0, note) : part.output;
      next = part.meta?.["next_byte"] as number | undefined;
    }
    expect(text).toBe(`${line}\nnext\n`);
  });

  test("an aborted signal stops a read with a cancelled error", async () => {
    writeFileSync(join(root, "big.txt"), "0123456789\n".repeat(100_000));
    const controller = new AbortController();
    controller.abort();
    const result = await reader().execute(
      { op: "read", path: "big.txt", offset: 90_000 },
      { ...ctx, signal: controller.signal },
    );
    expect(result.error).toBe("cancelled");
  });

  test("a root that is relative or missing is a configuration error", () => {
    expect(() => createFileTool("files", { kind: "file", root: "relative/dir" })).toThrow("absolute");
    expect(() => createFileTool("files", { kind: "file", root: join(base, "nope") })).toThrow(
      "does not exist",
    );
  });
});

test("the file tool's written-out JSON Schema is exactly what zod derives from its parameters", () => {
  const derived = parametersJsonSchema(fileParameters());
  expect(JSON.stringify(FILE_PARAMETERS_JSON)).toBe(JSON.stringify(derived));
  const dir = mkdtempSync(join(tmpdir(), "agentry-file-schema-"));
  try {
    const tool = createFileTool("files", { kind: "file", root: dir, write: true });
    expect(JSON.stringify(toolSchemaOf(tool).parameters)).toBe(JSON.stringify(derived));
    expect(tool.description).toContain("- `write`: replaces the file");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a read-only file tool offers the model no write: no `write` op, no `content`, no write in its description", async () => {
  const derived = parametersJsonSchema(fileParameters()) as {
    properties: Record<string, { enum?: string[] }>;
  };
  const tool = createFileTool("files", { kind: "file", root });
  const shown = toolSchemaOf(tool);
  const { content: _content, op, ...rest } = derived.properties;
  expect(shown.parameters).toEqual({
    ...derived,
    properties: { op: { ...op, enum: ["read", "list", "search"] }, ...rest },
  });
  expect(JSON.stringify(shown.parameters)).not.toContain("write");
  expect(shown.description).not.toContain("write");
  expect(shown.description).toContain("This tool is read-only.");
  // validation is unchanged: a write sent anyway is refused by the tool, not by the schema
  const parsed = fileParameters().safeParse({ op: "write", path: "a.txt", content: "x" });
  expect(parsed.success).toBe(true);
  const refused = await tool.execute({ op: "write", path: "a.txt", content: "x" }, ctx);
  expect(refused.ok).toBe(false);
  expect(!refused.ok && refused.error).toContain("read-only");
  expect(existsSync(join(root, "a.txt"))).toBe(false);
});

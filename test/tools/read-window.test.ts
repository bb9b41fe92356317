import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHUNK_BYTES, type FileWindow, readWindow } from "../../src/tools/file/read-window.ts";

const dir = mkdtempSync(join(tmpdir(), "read-window-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const signal = new AbortController().signal;

async function windowOf(
  content: string | Buffer,
  request: { offset?: number; limit?: number; byteOffset?: number; maxBytes?: number },
): Promise<FileWindow> {
  const path = join(dir, "f.txt");
  writeFileSync(path, content);
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    return await readWindow(handle, {
      offset: request.offset ?? 1,
      limit: request.limit ?? 1000,
      maxBytes: request.maxBytes ?? 10_000,
      size,
      signal,
      ...(request.byteOffset !== undefined ? { byteOffset: request.byteOffset } : {}),
    });
  } finally {
    await handle.close();
  }
}

describe("readWindow", () => {
  test("numbers lines, strips CR of CRLF, keeps empty lines, knows where to continue", async () => {
    expect(await windowOf("one\r\ntwo\nthree\n\nfive\n", { offset: 2, limit: 2 })).toEqual({
      text: "2\ttwo\n3\tthree",
      binary: false,
      lines: 2,
      bytes: 15,
      next: { byte: 15, line: 4 },
    });
    const all = await windowOf("one\r\ntwo\nthree\n\nfive", {});
    expect(all.text).toBe("1\tone\n2\ttwo\n3\tthree\n4\t\n5\tfive");
    expect(all.next).toBeUndefined();
  });

  test("a limit reached exactly at the end of the file leaves nothing to continue", async () => {
    expect((await windowOf("a\nb\n", { limit: 2 })).next).toBeUndefined();
  });

  test("an offset past the end gives an empty window", async () => {
    expect((await windowOf("a\nb\n", { offset: 9 })).text).toBe("");
  });

  test("a NUL byte near the start marks the file binary", async () => {
    expect((await windowOf("a\0b\nc\n", {})).binary).toBe(true);
  });

  test("the byte cap stops before a line that does not fit, at a line boundary", async () => {
    const window = await windowOf("aaaa\nbbbb\ncccc\n", { maxBytes: 14 });
    expect(window.text).toBe("1\taaaa\n2\tbbbb");
    expect(window.next).toEqual({ byte: 10, line: 3 });
  });

  test("a line spanning chunks with multi-byte characters is cut on a character boundary", async () => {
    const line = "ü".repeat(CHUNK_BYTES);
    for (const maxBytes of [CHUNK_BYTES + 1, CHUNK_BYTES + 2, CHUNK_BYTES + 3, 2 * CHUNK_BYTES]) {
      const window = await windowOf(`${line}\n`, { maxBytes });
      const shown = window.text.slice(2);
      expect(shown).toBe("ü".repeat(shown.length));
      expect(window.next).toEqual({ byte: Buffer.byteLength(shown), cutLine: 1 });
      const rest = await windowOf(`${line}\n`, {
        byteOffset: window.next?.byte ?? 0,
        maxBytes: 3 * CHUNK_BYTES,
      });
      expect(shown + rest.text).toBe(`${line}\n`);
    }
  });

  test("byte windows read any part of the file and never split a character", async () => {
    const content = "aé€😀".repeat(1000);
    let text = "";
    let at: number | undefined = 0;
    while (at !== undefined) {
      const window: FileWindow = await windowOf(content, { byteOffset: at, maxBytes: 7 });
      expect(window.text).not.toContain("\uFFFD");
      text += window.text;
      at = window.next?.byte;
    }
    expect(text).toBe(content);
  });
});

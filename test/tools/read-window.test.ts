import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CHUNK_BYTES,
  type FileWindow,
  handleReader,
  type ReadAt,
  readWindow,
  type WindowRequest,
  windowOfContent,
} from "../../src/tools/file/read-window.ts";

const dir = mkdtempSync(join(tmpdir(), "read-window-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const signal = new AbortController().signal;

type Request = { offset?: number; limit?: number; byteOffset?: number; maxBytes?: number };

function requestFor(size: number, request: Request): WindowRequest {
  return {
    offset: request.offset ?? 1,
    limit: request.limit ?? 1000,
    maxBytes: request.maxBytes ?? 10_000,
    size,
    signal,
    ...(request.byteOffset !== undefined ? { byteOffset: request.byteOffset } : {}),
  };
}

/** A window read through a `FileHandle`, or made from the whole content in memory (the small-file path). */
async function windowWith(
  how: "handle" | "content",
  content: string | Buffer,
  request: Request,
): Promise<FileWindow> {
  const bytes = Buffer.from(content);
  if (how === "content") return windowOfContent(bytes, requestFor(bytes.length, request));
  const path = join(dir, "f.txt");
  writeFileSync(path, bytes);
  const handle = await open(path, "r");
  try {
    return await readWindow(handleReader(handle), requestFor(bytes.length, request));
  } finally {
    await handle.close();
  }
}

describe.each(["handle", "content"] as const)(
  "readWindow through a file %s, windowOfContent alike",
  (how) => {
    const windowOf = (content: string | Buffer, request: Request) => windowWith(how, content, request);

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

    test("lines that span chunks are kept whole, whatever the next read puts in the chunk", async () => {
      const lines = [
        "a".repeat(CHUNK_BYTES - 3),
        "b".repeat(CHUNK_BYTES + 10),
        "c".repeat(2 * CHUNK_BYTES),
        "d",
      ];
      const window = await windowOf(`${lines.join("\n")}\n`, { maxBytes: 8 * CHUNK_BYTES });
      expect(window.text).toBe(lines.map((line, i) => `${i + 1}\t${line}`).join("\n"));
      expect(window.next).toBeUndefined();
    });

    test("an aborted signal stops a window before anything is shown, except an empty byte window", async () => {
      const aborted = new AbortController();
      aborted.abort();
      const at = async (request: Request) => {
        const bytes = Buffer.from("one\ntwo\n");
        if (how === "content")
          return windowOfContent(bytes, { ...requestFor(8, request), signal: aborted.signal });
        const path = join(dir, "f.txt");
        writeFileSync(path, bytes);
        const handle = await open(path, "r");
        try {
          return await readWindow(handleReader(handle), {
            ...requestFor(8, request),
            signal: aborted.signal,
          });
        } finally {
          await handle.close();
        }
      };
      await expect(at({})).rejects.toThrow();
      await expect(at({ byteOffset: 2 })).rejects.toThrow();
      expect(await at({ byteOffset: 8 })).toEqual({ text: "", binary: false, lines: 0, bytes: 0 });
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
  },
);

describe("readWindow's reads", () => {
  /** A reader over `content` in memory that counts its calls. */
  function counting(content: Buffer): { read: ReadAt; calls: () => number } {
    let calls = 0;
    const read: ReadAt = (buffer, offset, length, position) => {
      calls += 1;
      return content.copy(buffer, offset, position, Math.min(content.length, position + length));
    };
    return { read, calls: () => calls };
  }

  test("a small file is read in one call: the first chunk is also the binary sniff", async () => {
    const content = Buffer.from("bench data\n");
    const reader = counting(content);
    const window = await readWindow(reader.read, requestFor(content.length, {}));
    expect(window.text).toBe("1\tbench data");
    expect(reader.calls()).toBe(1);
  });

  test("a NUL byte within the first 8 KiB marks the file binary, one past them does not", async () => {
    const at = (index: number) => {
      const content = Buffer.alloc(20_000, "a");
      content[index] = 0;
      return readWindow(counting(content).read, requestFor(content.length, {}));
    };
    expect((await at(8 * 1024 - 1)).binary).toBe(true);
    expect((await at(8 * 1024)).binary).toBe(false);
  });

  test("a file that grew after its size was taken is read on to its end in line mode", async () => {
    const content = Buffer.from("one\ntwo\nthree\n");
    const window = await readWindow(counting(content).read, requestFor(4, {}));
    expect(window.text).toBe("1\tone\n2\ttwo\n3\tthree");
  });
});

import { expect, test } from "bun:test";
import { CHUNK_BYTES, type ReadAt, readWindow } from "../../src/tools/file/read-window.ts";

/**
 * A file that grows while it is read (a log just rotated, still being written): its `fstat` size
 * is small, so the first read is sized to it, but it goes on past that size. The reads that follow
 * must be full chunks again; one read per byte of a file opened empty would cost a tool call
 * hundreds of thousands of reads (a `search` reads up to 8 MiB of each file).
 */

/** A file `content.length` bytes long whose `fstat` said `size`, counting the reads made of it. */
function growingFile(content: Buffer): { read: ReadAt; reads: () => number } {
  let reads = 0;
  const read: ReadAt = async (buffer, offset, length, position) => {
    reads++;
    return content.copy(buffer, offset, position, Math.min(content.length, position + length));
  };
  return { read, reads: () => reads };
}

const signal = new AbortController().signal;

test("a file that was empty when opened and then grew is read in full chunks, not byte by byte", async () => {
  const content = Buffer.from("log line\n".repeat(40_000));
  const file = growingFile(content);
  const maxBytes = 200 * 1024;
  const window = await readWindow(file.read, {
    offset: 1,
    limit: Number.POSITIVE_INFINITY,
    maxBytes,
    size: 0,
    signal,
  });
  expect(window.binary).toBe(false);
  expect(window.text.startsWith("1\tlog line\n2\tlog line")).toBe(true);
  expect(window.bytes).toBeGreaterThan(CHUNK_BYTES);
  // One read of one byte, then full chunks up to the window's cap.
  expect(file.reads()).toBeLessThanOrEqual(2 + Math.ceil(maxBytes / CHUNK_BYTES));
});

test("a small file that grew past its size is read on in full chunks, and still whole", async () => {
  const content = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `line ${i + 1}`).join("\n"));
  const file = growingFile(content);
  const window = await readWindow(file.read, {
    offset: 1,
    limit: Number.POSITIVE_INFINITY,
    maxBytes: 1024 * 1024,
    size: 10,
    signal,
  });
  expect(window.lines).toBe(30_000);
  expect(window.text.split("\n").at(-1)).toBe("30000\tline 30000");
  expect(file.reads()).toBeLessThanOrEqual(2 + Math.ceil(content.length / CHUNK_BYTES));
});

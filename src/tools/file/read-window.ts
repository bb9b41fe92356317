import type { FileHandle } from "node:fs/promises";

/** Bytes read per `read` call: memory stays bounded by this plus the window, whatever the file. */
export const CHUNK_BYTES = 64 * 1024;
/** A NUL byte among the first bytes of a file marks it as binary. */
const SNIFF_BYTES = 8 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;

/** Where to continue reading a file after a window. */
export interface Continuation {
  /** Byte position of the first byte not shown (always set). */
  byte: number;
  /** 1-based line to continue with, when the window ended at a line boundary. */
  line?: number;
  /** The line that was cut because it alone exceeds the byte cap. */
  cutLine?: number;
}

/** A window of a file's text: numbered lines, or raw text from a byte offset. */
export interface FileWindow {
  text: string;
  binary: boolean;
  /** Lines shown (line mode), counting a cut line. */
  lines: number;
  /** Bytes of the file the window covers. */
  bytes: number;
  next?: Continuation;
}

/** What to read: lines `offset..offset+limit-1` (1-based), or text from `byteOffset`. */
export interface WindowRequest {
  offset: number;
  limit: number;
  byteOffset?: number;
  /** Cap on the window's text in bytes (line-number prefixes included). */
  maxBytes: number;
  size: number;
  signal: AbortSignal;
}

/**
 * Reads up to `length` bytes of a file at `position` into `buffer` at `offset` and returns how
 * many it read; fewer than `length` means the end of the (regular) file was reached.
 */
export type ReadAt = (
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
) => number | Promise<number>;

/** Reads through an open `FileHandle`: asynchronously, on Bun's I/O thread pool. */
export function handleReader(handle: FileHandle): ReadAt {
  return async (buffer, offset, length, position) =>
    (await handle.read(buffer, offset, length, position)).bytesRead;
}

function binary(): FileWindow {
  return { text: "", binary: true, lines: 0, bytes: 0 };
}

/**
 * Reads a window of an open regular file in reads of at most `CHUNK_BYTES`, checking `signal`
 * between them, so memory is bounded by bytes (the chunk plus `maxBytes`), never by line length:
 * a line longer than `maxBytes` is shown cut, with the byte offset to continue from; `byteOffset`
 * reads any part of a file, so even a single 600 MB line can be read to the end. A NUL byte in the
 * first `SNIFF_BYTES` marks the file binary; in line mode the first chunk read serves as that sniff.
 */
export async function readWindow(read: ReadAt, request: WindowRequest): Promise<FileWindow> {
  if (request.byteOffset === undefined) return readLines(read, request);
  const sniff = Buffer.allocUnsafe(Math.min(SNIFF_BYTES, request.size));
  if (sniff.length > 0) {
    const bytesRead = await read(sniff, 0, sniff.length, 0);
    if (sniff.subarray(0, bytesRead).includes(0)) return binary();
  }
  return readBytes(read, request, request.byteOffset);
}

async function readBytes(read: ReadAt, request: WindowRequest, start: number): Promise<FileWindow> {
  const { want, length: wanted } = byteSpan(request, start);
  const buffer = Buffer.allocUnsafe(wanted);
  let length = 0;
  while (length < buffer.length) {
    request.signal.throwIfAborted();
    const count = Math.min(CHUNK_BYTES, buffer.length - length);
    const bytesRead = await read(buffer, length, count, start + length);
    length += bytesRead;
    if (bytesRead < count) break;
  }
  return bytesWindow(buffer.subarray(0, length), want, start, request.size);
}

/** How many bytes a byte window from `start` shows at most (`want`) and reads (`length`: 4 more, to end on a character). */
function byteSpan(request: WindowRequest, start: number): { want: number; length: number } {
  const available = Math.max(0, request.size - start);
  const want = Math.min(request.maxBytes, available);
  return { want, length: Math.min(want + 4, available) };
}

/** The byte window of `bytes` read from `start`, cut at `want` on a character boundary. */
function bytesWindow(bytes: Buffer, want: number, start: number, size: number): FileWindow {
  const end = bytes.length <= want ? bytes.length : charBoundary(bytes, 0, want);
  const window: FileWindow = {
    text: bytes.toString("utf8", 0, end),
    binary: false,
    lines: 0,
    bytes: end,
  };
  if (start + end < size) window.next = { byte: start + end };
  return window;
}

/**
 * The window `readWindow` would read, of a file whose whole content is already in memory (a small
 * file read at once, local-read.ts): the same binary sniff, lines, cuts and continuations, and the
 * same checks of `signal`, without a read or an `await`.
 */
export function windowOfContent(content: Buffer, request: WindowRequest): FileWindow {
  if (request.byteOffset === undefined) {
    request.signal.throwIfAborted();
    if (content.subarray(0, SNIFF_BYTES).includes(0)) return binary();
    const builder = new LineWindow(request);
    if (content.length > 0) builder.take(content, 0);
    return builder.finish(content.length);
  }
  if (content.subarray(0, Math.min(SNIFF_BYTES, request.size)).includes(0)) return binary();
  const start = request.byteOffset;
  const { want, length } = byteSpan(request, start);
  if (length > 0) request.signal.throwIfAborted();
  return bytesWindow(content.subarray(start, start + length), want, start, request.size);
}

/** The largest end ≤ `end` that does not split a UTF-8 sequence (never below `start + 1` if it can help it). */
function charBoundary(buffer: Buffer, start: number, end: number): number {
  let cut = end;
  while (cut > start && ((buffer[cut] as number) & 0xc0) === 0x80) cut--;
  return cut > start || end === start ? cut : end;
}

/**
 * The chunk is sized to the file (one byte more, so a file that did not grow is read in one call),
 * at most `CHUNK_BYTES`; a short read is the end of the file. A full read of a smaller chunk means
 * the file grew past its size (a log being written): the rest is read in full chunks, not in
 * reads of the file's old size (one byte each for a file opened empty).
 */
async function readLines(read: ReadAt, request: WindowRequest): Promise<FileWindow> {
  const builder = new LineWindow(request);
  let chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, request.size + 1));
  let position = 0;
  while (!builder.done) {
    request.signal.throwIfAborted();
    const bytesRead = await read(chunk, 0, chunk.length, position);
    if (position === 0 && chunk.subarray(0, Math.min(bytesRead, SNIFF_BYTES)).includes(0)) return binary();
    if (bytesRead > 0) builder.take(chunk.subarray(0, bytesRead), position);
    position += bytesRead;
    if (bytesRead < chunk.length) break;
    if (chunk.length < CHUNK_BYTES) chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  }
  return builder.finish(position);
}

/** Accumulates the numbered lines of a window from consecutive chunks of the file. */
class LineWindow {
  done = false;
  private line = 1;
  private lineStart = 0;
  private readonly kept: string[] = [];
  private keptBytes = 0;
  private current: Buffer[] = [];
  private currentBytes = 0;
  private next: Continuation | undefined;

  constructor(private readonly request: WindowRequest) {}

  private get budget(): number {
    return this.request.maxBytes - this.keptBytes - `${this.line}\t`.length - (this.kept.length > 0 ? 1 : 0);
  }

  /**
   * Takes the next chunk. The line it leaves open is copied out of it, so the caller may reuse the
   * chunk's memory for the next read; completed lines are decoded straight from it.
   */
  take(chunk: Buffer, at: number): void {
    let from = 0;
    while (from <= chunk.length && !this.done) {
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline < 0 ? chunk.length : newline;
      if (this.line >= this.request.offset) this.append(chunk, from, end, at);
      if (this.done || newline < 0) break;
      this.endLine(at + newline + 1);
      from = newline + 1;
    }
    const open = this.current.length - 1;
    if (!this.done && open >= 0) this.current[open] = Buffer.from(this.current[open] as Buffer);
  }

  private append(chunk: Buffer, from: number, end: number, at: number): void {
    const room = this.budget - this.currentBytes;
    if (end - from <= room) {
      if (end > from) this.current.push(chunk.subarray(from, end));
      this.currentBytes += end - from;
      return;
    }
    if (this.kept.length > 0) {
      this.next = { byte: this.lineStart, line: this.line };
      this.done = true;
      return;
    }
    const lineSoFar = Buffer.concat([...this.current, chunk.subarray(from, end)]);
    const cut = charBoundary(lineSoFar, 0, this.currentBytes + Math.max(0, room));
    this.current = [lineSoFar.subarray(0, cut)];
    this.currentBytes = cut;
    const cutAt = at + from - (lineSoFar.length - (end - from)) + cut;
    this.keep();
    this.next = { byte: cutAt, cutLine: this.line - 1 };
    this.done = true;
  }

  private endLine(nextStart: number): void {
    if (this.line >= this.request.offset) this.keep();
    else this.line += 1;
    this.lineStart = nextStart;
    if (this.kept.length >= this.request.limit && nextStart < this.request.size) {
      this.next = { byte: nextStart, line: this.line };
      this.done = true;
    }
  }

  private keep(): void {
    let text =
      this.current.length === 1
        ? (this.current[0] as Buffer)
        : Buffer.concat(this.current, this.currentBytes);
    if (text.length > 0 && text[text.length - 1] === CR) text = text.subarray(0, text.length - 1);
    const entry = `${this.line}\t${text.toString("utf8")}`;
    this.kept.push(entry);
    this.keptBytes += Buffer.byteLength(entry) + (this.kept.length > 1 ? 1 : 0);
    this.current = [];
    this.currentBytes = 0;
    this.line += 1;
  }

  finish(end: number): FileWindow {
    if (!this.done && this.currentBytes > 0 && this.line >= this.request.offset) this.keep();
    const window: FileWindow = {
      text: this.kept.join("\n"),
      binary: false,
      lines: this.kept.length,
      bytes: this.next?.byte ?? end,
    };
    if (this.next) window.next = this.next;
    return window;
  }
}

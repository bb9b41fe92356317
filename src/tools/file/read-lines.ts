import { createReadStream, readFileSync } from "node:fs";

/** A window of a text file, numbered from 1. */
export interface LineWindow {
  text: string;
  /** True when the file continues after the window (more lines, or the byte cap was reached). */
  more: boolean;
  lastLine: number;
  binary: boolean;
}

/** Files up to this size are read in one call; larger ones are streamed line by line. */
const WHOLE_FILE_BYTES = 1024 * 1024;

/**
 * Reads lines `offset .. offset+limit-1` (1-based) of a file, stopping at `limit` lines or
 * `maxBytes` of kept text, whichever comes first. Small files are read at once; large ones as a
 * stream, so huge files cost little. Each line is prefixed with its number and a tab.
 */
export async function readLines(
  path: string,
  offset: number,
  limit: number,
  maxBytes: number,
  size = Number.POSITIVE_INFINITY,
): Promise<LineWindow> {
  const window = new WindowBuilder(offset, limit, maxBytes);
  if (size <= WHOLE_FILE_BYTES) {
    const lines = readFileSync(path, "utf8").split(/\r\n|\r|\n/);
    if (lines.at(-1) === "") lines.pop();
    for (const line of lines) if (!window.add(line)) break;
    return window.result();
  }
  const { createInterface } = await import("node:readline");
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 64 * 1024 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) if (!window.add(line)) break;
  } finally {
    lines.close();
    stream.destroy();
  }
  return window.result();
}

class WindowBuilder {
  private readonly kept: string[] = [];
  private bytes = 0;
  private number = 0;
  private more = false;
  private binary = false;

  constructor(
    private readonly offset: number,
    private readonly limit: number,
    private readonly maxBytes: number,
  ) {}

  /** Takes the next line; false when the window is complete (or the file is binary). */
  add(line: string): boolean {
    this.number += 1;
    if (this.number === 1 && line.includes("\0")) {
      this.binary = true;
      return false;
    }
    if (this.number < this.offset) return true;
    if (this.kept.length >= this.limit) {
      this.more = true;
      return false;
    }
    const entry = `${this.number}\t${line}`;
    if (this.bytes + entry.length + 1 > this.maxBytes) {
      this.more = true;
      return false;
    }
    this.kept.push(entry);
    this.bytes += entry.length + 1;
    return true;
  }

  result(): LineWindow {
    if (this.binary) return { text: "", more: false, lastLine: 0, binary: true };
    return {
      text: this.kept.join("\n"),
      more: this.more,
      lastLine: this.offset + this.kept.length - 1,
      binary: false,
    };
  }
}

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** A window of a text file, numbered from 1. */
export interface LineWindow {
  text: string;
  /** True when the file continues after the window (more lines, or the byte cap was reached). */
  more: boolean;
  lastLine: number;
  binary: boolean;
}

/**
 * Reads lines `offset .. offset+limit-1` (1-based) of a file as a stream, stopping at `limit`
 * lines or `maxBytes` of kept text, whichever comes first, so huge files cost little. Each line is
 * prefixed with its number and a tab.
 */
export async function readLines(
  path: string,
  offset: number,
  limit: number,
  maxBytes: number,
): Promise<LineWindow> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 64 * 1024 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const kept: string[] = [];
  let bytes = 0;
  let number = 0;
  let more = false;
  try {
    for await (const line of lines) {
      number += 1;
      if (number === 1 && line.includes("\0")) return { text: "", more: false, lastLine: 0, binary: true };
      if (number < offset) continue;
      if (kept.length >= limit) {
        more = true;
        break;
      }
      const entry = `${number}\t${line}`;
      if (bytes + entry.length + 1 > maxBytes) {
        more = true;
        break;
      }
      kept.push(entry);
      bytes += entry.length + 1;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return { text: kept.join("\n"), more, lastLine: offset + kept.length - 1, binary: false };
}

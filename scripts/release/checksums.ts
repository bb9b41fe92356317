/**
 * `SHA256SUMS` in the format `sha256sum` writes and `sha256sum -c` reads: one `<hex>  <name>`
 * line per file (two spaces: text mode, which is what GNU and BSD tools print), sorted by name.
 */

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Hex SHA-256 of a file, streamed so 100 MB archives are never held in memory twice. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** One line of a checksum file. */
export interface ChecksumEntry {
  file: string;
  sha256: string;
}

/** Renders entries sorted by file name (byte order), ending with a newline. */
export function formatChecksums(entries: readonly ChecksumEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return sorted.map((entry) => `${entry.sha256}  ${entry.file}\n`).join("");
}

/**
 * Parses a checksum file into name → hex. Accepts text (`  `) and binary (` *`) markers; throws
 * naming the first line that is neither.
 */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [index, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new Error(`checksum line ${index + 1} is malformed: ${JSON.stringify(line)}`);
    sums.set(match[2]!, match[1]!);
  }
  return sums;
}

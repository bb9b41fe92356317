/**
 * A small, deterministic zip writer for the Windows archives, so a release needs no `zip`
 * program (CI images have only Node and npm). Entries are deflated with node:zlib, carry one
 * fixed DOS timestamp, Unix permissions and no extra fields. No zip64: entries and archive must
 * stay under 4 GiB, which a Bun executable (~115 MB) does by far.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { crc32, deflateRaw } from "node:zlib";
import { ReleaseError } from "./release-error.ts";

const deflate = promisify(deflateRaw);

/** One entry: a directory when `data` is absent (its name must end in `/`). */
export interface ZipEntry {
  name: string;
  data?: Uint8Array;
  /** Unix permission bits, e.g. 0o755 for the executable. */
  mode: number;
}

const UNIX_MADE_BY = (3 << 8) | 20;
const LIMIT = 0xffffffff;

/** DOS date and time of `epoch` (seconds, read as UTC), clamped to the format's 1980–2107 range. */
export function dosDateTime(epoch: number): { date: number; time: number } {
  const d = new Date(Math.min(Math.max(epoch, 315532800), 4354819198) * 1000);
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  return { date, time };
}

/**
 * Builds the zip bytes for `entries`, in the order given (callers sort them). The same entries and
 * epoch always give the same bytes for a given zlib.
 */
export async function zipBytes(entries: readonly ZipEntry[], epoch: number): Promise<Uint8Array> {
  const { date, time } = dosDateTime(epoch);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const isDir = entry.data === undefined;
    if (isDir !== entry.name.endsWith("/")) {
      throw new ReleaseError(`zip entry ${entry.name}: directories and only directories end in "/"`, {
        step: "archive",
      });
    }
    const raw = entry.data ?? new Uint8Array();
    const packed = isDir ? raw : new Uint8Array(await deflate(raw, { level: 6 }));
    const name = Buffer.from(entry.name, "utf8");
    if (raw.length >= LIMIT || offset >= LIMIT) {
      throw new ReleaseError(`zip entry ${entry.name} needs zip64, which this writer does not do`, {
        step: "archive",
      });
    }
    const crc = crc32(raw);
    const method = isDir ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(UNIX_MADE_BY, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    const unixMode = (isDir ? 0o040000 : 0o100000) | entry.mode;
    central.writeUInt32LE(((unixMode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A file to put in a zip: read from `path`, stored under `name`. */
export interface ZipFileSource {
  name: string;
  path?: string;
  mode: number;
}

/** Reads the sources (directories have no `path`) and writes the zip to `outfile`. */
export async function writeZip(
  sources: readonly ZipFileSource[],
  outfile: string,
  epoch: number,
): Promise<void> {
  const entries = sources.map((source) =>
    source.path === undefined
      ? { name: source.name, mode: source.mode }
      : { name: source.name, mode: source.mode, data: readFileSync(source.path) },
  );
  writeFileSync(outfile, await zipBytes(entries, epoch));
}

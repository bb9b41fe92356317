import { describe, expect, test } from "bun:test";
import { crc32, inflateRawSync } from "node:zlib";
import { dosDateTime, zipBytes } from "../../scripts/release/zip.ts";

interface ReadEntry {
  name: string;
  data: Buffer;
  unixMode: number;
  date: number;
  time: number;
}

/** Independent reader: walks the central directory and inflates each entry via its local header. */
function readZip(bytes: Uint8Array): ReadEntry[] {
  const buf = Buffer.from(bytes);
  const end = buf.length - 22;
  expect(buf.readUInt32LE(end)).toBe(0x06054b50);
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(at)).toBe(0x02014b50);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const packedSize = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLength);
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const packed = buf.subarray(start, start + packedSize);
    const data = method === 8 ? inflateRawSync(packed) : Buffer.from(packed);
    expect(crc32(data)).toBe(crc);
    entries.push({
      name,
      data,
      unixMode: buf.readUInt32LE(at + 38) >>> 16,
      date: buf.readUInt16LE(at + 14),
      time: buf.readUInt16LE(at + 12),
    });
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return entries;
}

const EPOCH = 1_700_000_000; // 2023-11-14T22:13:20Z

describe("zipBytes", () => {
  const payload = Buffer.from("MZ".padEnd(50_000, "agentry "));
  const entries = [
    { name: "pkg/", mode: 0o755 },
    { name: "pkg/README.md", data: Buffer.from("# read me\n"), mode: 0o644 },
    { name: "pkg/agentry.exe", data: payload, mode: 0o755 },
  ];

  test("round-trips names, contents, Unix modes and the fixed timestamp", async () => {
    const read = readZip(await zipBytes(entries, EPOCH));
    expect(read.map((e) => e.name)).toEqual(["pkg/", "pkg/README.md", "pkg/agentry.exe"]);
    expect(read[1]!.data.toString()).toBe("# read me\n");
    expect(read[2]!.data.equals(payload)).toBe(true);
    expect(read.map((e) => e.unixMode.toString(8))).toEqual(["40755", "100644", "100755"]);
    const { date, time } = dosDateTime(EPOCH);
    expect(read.every((e) => e.date === date && e.time === time)).toBe(true);
  });

  test("is byte-identical for the same input and differs when the epoch does", async () => {
    const a = await zipBytes(entries, EPOCH);
    const b = await zipBytes(entries, EPOCH);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(await zipBytes(entries, EPOCH + 3600)).equals(Buffer.from(a))).toBe(false);
  });

  test("rejects a directory entry without a trailing slash", async () => {
    await expect(zipBytes([{ name: "pkg", mode: 0o755 }], EPOCH)).rejects.toThrow("directories");
  });
});

describe("dosDateTime", () => {
  test("encodes UTC with two-second resolution and clamps before 1980", () => {
    expect(dosDateTime(EPOCH)).toEqual({
      date: ((2023 - 1980) << 9) | (11 << 5) | 14,
      time: (22 << 11) | (13 << 5) | 10,
    });
    expect(dosDateTime(0)).toEqual({ date: (1 << 5) | 1, time: 0 });
  });
});

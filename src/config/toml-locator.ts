import type { KeyPath, PathSegment } from "./key-path.ts";

/** A 1-based line and column in a source file. */
export interface Position {
  line: number;
  column: number;
}

/** Finds where a key path is written in a TOML document; see `createLocator`. */
export interface SourceLocator {
  /**
   * The position of the key (`prefer: "key"`) or of its value (`"value"`) for `path`; when the
   * path is not written in the file (a missing key), the position of its nearest written ancestor.
   */
  locate(path: KeyPath, prefer?: "key" | "value"): Position | undefined;
}

interface Marks {
  key?: number;
  value?: number;
}

const BARE = /[A-Za-z0-9_-]/;

/**
 * Builds a locator for a TOML text that smol-toml has already accepted (smol-toml reports no key
 * positions). Understands `[tables]`, `[[array tables]]`, dotted and quoted keys, inline tables,
 * arrays and every string form; the scan is lenient because the text is known to be valid.
 */
export function createLocator(text: string): SourceLocator {
  let locate: SourceLocator["locate"] | undefined;
  return {
    locate: (path, prefer = "key") => {
      locate ??= scanLocator(text);
      return locate(path, prefer);
    },
  };
}

/** The scan behind `createLocator`, run when a position is first asked for (only errors need one). */
function scanLocator(text: string): SourceLocator["locate"] {
  const marks = new Scanner(text).scan();
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const toPosition = (offset: number): Position => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] as number) + 1 };
  };
  return (path, prefer = "key") => {
    for (let length = path.length; length > 0; length--) {
      const mark = marks.get(pathId(path.slice(0, length)));
      if (!mark) continue;
      const exact = length === path.length;
      const offset = exact && prefer === "value" ? (mark.value ?? mark.key) : (mark.key ?? mark.value);
      if (offset !== undefined) return toPosition(offset);
    }
    return undefined;
  };
}

function pathId(path: KeyPath): string {
  return JSON.stringify(path);
}

interface KeyToken {
  name: string;
  offset: number;
}

class Scanner {
  private i = 0;
  private readonly marks = new Map<string, Marks>();
  private readonly arrayTables = new Map<string, number>();

  constructor(private readonly text: string) {}

  scan(): Map<string, Marks> {
    let table: PathSegment[] = [];
    while (this.i < this.text.length) {
      this.skipTrivia(true);
      if (this.i >= this.text.length) break;
      if (this.text[this.i] === "[") table = this.header();
      else {
        this.keyValue(table);
        this.skipLine();
      }
    }
    return this.marks;
  }

  private header(): PathSegment[] {
    const isArray = this.text[this.i + 1] === "[";
    this.i += isArray ? 2 : 1;
    const keys = this.keyPath();
    const path: PathSegment[] = [];
    for (const key of keys) {
      path.push(key.name);
      this.mark(path, "key", key.offset);
      const count = this.arrayTables.get(pathId(path));
      if (count !== undefined && key !== keys[keys.length - 1]) path.push(count - 1);
    }
    if (isArray) {
      const id = pathId(path);
      const index = this.arrayTables.get(id) ?? 0;
      this.arrayTables.set(id, index + 1);
      path.push(index);
      this.mark(path, "key", keys[keys.length - 1]?.offset ?? this.i);
    }
    this.skipLine();
    return path;
  }

  private keyValue(base: readonly PathSegment[]): void {
    const keys = this.keyPath();
    const path = [...base];
    for (const key of keys) {
      path.push(key.name);
      this.mark(path, "key", key.offset);
    }
    this.skipSpaces();
    if (this.text[this.i] === "=") this.i++;
    this.skipSpaces();
    this.value(path);
  }

  private value(path: readonly PathSegment[]): void {
    this.mark(path, "value", this.i);
    const c = this.text[this.i];
    if (c === '"' || c === "'") this.string();
    else if (c === "[") {
      this.i++;
      for (let index = 0; ; index++) {
        this.skipTrivia(true);
        if (this.i >= this.text.length || this.text[this.i] === "]") break;
        this.value([...path, index]);
        this.skipTrivia(true);
        if (this.text[this.i] === ",") this.i++;
      }
      this.i++;
    } else if (c === "{") {
      this.i++;
      for (;;) {
        this.skipTrivia(true);
        if (this.i >= this.text.length || this.text[this.i] === "}") break;
        this.keyValue(path);
        this.skipTrivia(true);
        if (this.text[this.i] === ",") this.i++;
      }
      this.i++;
    } else {
      while (this.i < this.text.length && !",]}\r\n#".includes(this.text[this.i] as string)) this.i++;
    }
  }

  private string(): void {
    const quote = this.text[this.i] as string;
    const triple = quote.repeat(3);
    if (this.text.startsWith(triple, this.i)) {
      let j = this.i + 3;
      while (j < this.text.length && !this.text.startsWith(triple, j))
        j += quote === '"' && this.text[j] === "\\" ? 2 : 1;
      j += 3;
      while (this.text[j] === quote) j++;
      this.i = j;
      return;
    }
    let j = this.i + 1;
    while (j < this.text.length && this.text[j] !== quote && this.text[j] !== "\n") {
      j += quote === '"' && this.text[j] === "\\" ? 2 : 1;
    }
    this.i = j + 1;
  }

  private keyPath(): KeyToken[] {
    const keys: KeyToken[] = [];
    for (;;) {
      this.skipSpaces();
      const offset = this.i;
      const c = this.text[this.i];
      let name: string;
      if (c === '"' || c === "'") {
        this.string();
        const raw = this.text.slice(offset, this.i);
        name = c === "'" ? raw.slice(1, -1) : decodeBasic(raw);
      } else {
        while (this.i < this.text.length && BARE.test(this.text[this.i] as string)) this.i++;
        name = this.text.slice(offset, this.i);
      }
      keys.push({ name, offset });
      this.skipSpaces();
      if (this.text[this.i] !== ".") return keys;
      this.i++;
    }
  }

  private mark(path: readonly PathSegment[], kind: keyof Marks, offset: number): void {
    const id = pathId(path);
    const existing = this.marks.get(id) ?? {};
    if (existing[kind] === undefined) existing[kind] = offset;
    this.marks.set(id, existing);
  }

  private skipSpaces(): void {
    while (this.text[this.i] === " " || this.text[this.i] === "\t") this.i++;
  }

  private skipTrivia(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === " " || c === "\t" || (newlines && (c === "\n" || c === "\r"))) this.i++;
      else if (c === "#") while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
      else return;
    }
  }

  private skipLine(): void {
    while (this.i < this.text.length && this.text[this.i] !== "\n") {
      if (this.text[this.i] === "#") {
        while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
        break;
      }
      this.i++;
    }
  }
}

function decodeBasic(raw: string): string {
  try {
    return JSON.parse(
      raw.replace(/\\U([0-9A-Fa-f]{8})/g, (_m, hex: string) =>
        String.fromCodePoint(Number.parseInt(hex, 16)),
      ),
    ) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/**
 * Finds where a `Transfer-Encoding: chunked` request body ends, so the proxy forwards exactly one
 * request's bytes and nothing pipelined after it. Chunk sizes are strict hex (no sign, no
 * whitespace, at most 16 digits), extensions after `;` are passed through, size lines and trailer
 * lines are bounded, and every line must end in CRLF: a body two parsers would split differently
 * is refused instead of forwarded.
 */
export interface ChunkedScanner {
  /**
   * Consumes bytes of the body. Returns how many of them belong to it (forward those) and whether
   * the body ended there, or an error (answer 400 and close).
   */
  feed(chunk: Buffer): { used: number; done: boolean } | { error: string };
}

const MAX_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;

/** A fresh scanner positioned at the first chunk-size line. */
export function createChunkedScanner(): ChunkedScanner {
  let state: "size" | "data" | "data-crlf" | "trailer" | "done" = "size";
  let line = "";
  let remaining = 0n;
  let trailerBytes = 0;

  const takeLine = (chunk: Buffer, from: number): { end: number; line: string } | undefined | "long" => {
    const newline = chunk.indexOf(10, from);
    const piece = chunk.subarray(from, newline < 0 ? chunk.length : newline + 1).toString("latin1");
    line += piece;
    if (line.length > MAX_LINE) return "long";
    if (newline < 0) return undefined;
    const complete = line;
    line = "";
    return { end: newline + 1, line: complete };
  };

  return {
    feed(chunk) {
      let at = 0;
      while (at < chunk.length && state !== "done") {
        if (state === "data") {
          const take = Number(remaining < BigInt(chunk.length - at) ? remaining : BigInt(chunk.length - at));
          at += take;
          remaining -= BigInt(take);
          if (remaining === 0n) state = "data-crlf";
          continue;
        }
        const taken = takeLine(chunk, at);
        if (taken === "long") return { error: "chunked body line too long" };
        if (taken === undefined) return { used: chunk.length, done: false };
        at = taken.end;
        if (!taken.line.endsWith("\r\n") || taken.line.slice(0, -2).includes("\r")) {
          return { error: "chunked body line not ended by CRLF" };
        }
        const text = taken.line.slice(0, -2);
        if (state === "data-crlf") {
          if (text !== "") return { error: "chunk data longer than its size" };
          state = "size";
        } else if (state === "size") {
          const size = /^([0-9A-Fa-f]{1,16})(;[^\r\n]*)?$/.exec(text);
          if (!size) return { error: "malformed chunk size" };
          remaining = BigInt(`0x${size[1]}`);
          state = remaining === 0n ? "trailer" : "data";
        } else if (state === "trailer") {
          trailerBytes += taken.line.length;
          if (trailerBytes > MAX_TRAILER_BYTES) return { error: "chunked trailer too large" };
          if (text === "") state = "done";
          else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00-\x08\x0a-\x1f\x7f]*$/.test(text)) {
            return { error: "malformed trailer field" };
          }
        }
      }
      return { used: at, done: state === "done" };
    },
  };
}

import { createReadStream } from "node:fs";

/**
 * The lines of an audit log, split at `\n` only (a `\r` before it is dropped, as the CRLF of a
 * copied log). Not node:readline: Bun's also ends a line at U+2028 and U+2029, which
 * `JSON.stringify` leaves unescaped in a record's strings, so a tool output holding one split its
 * record in two and `audit verify` stopped there ("not valid JSON"), verifying nothing after it.
 */
export async function* auditLogLines(path: string): AsyncGenerator<string> {
  let pending: string[] = [];
  for await (const chunk of createReadStream(path, "utf8")) {
    const text = chunk as string;
    let from = 0;
    for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", from)) {
      pending.push(text.slice(from, newline));
      yield withoutCr(pending.join(""));
      pending = [];
      from = newline + 1;
    }
    if (from < text.length) pending.push(text.slice(from));
  }
  if (pending.length > 0) yield withoutCr(pending.join(""));
}

function withoutCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomHex } from "../../digest/random.ts";
import type { Middleware } from "../../spec/middleware.ts";
import { capOutput, termsFromArgs } from "./cap-output.ts";

export interface ContextEnrichmentOptions {
  /** `policy.enrich.max_output` in characters (default 32 KiB). */
  maxOutput?: number;
  /** Where full outputs of capped calls are saved (`<spillRoot>/<runId>/<runId>-<callId>.txt`, or `…-x.<random hex>.txt` for an id that is not plain; mode 0600, directories 0700; redacted with the run's redactor). */
  spillRoot?: string;
}

/** Default `enrich.max_output`. */
export const DEFAULT_MAX_OUTPUT = 32 * 1024;

const CLOSING = /<\/tool_output/gi;
const NEEDS_ESCAPE = /[&'<>\n\r]/;

/**
 * A value for a single-quoted attribute of the frame: nothing in it can end the attribute, the
 * tag (`>`) or the line the tag is on.
 */
function attr(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replace(/&/g, "&amp;")
    .replace(/'/g, "&#39;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

function safeFileName(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** A call id usable as it is in a spill file's name: plain characters, at most 64 (no `.`). */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The call's part of its spill file's name. The agent loop gives the pipeline only plain call ids
 * (`agent/call-ids.ts`), but the layer does not rely on it: an id that is not plain, or that the
 * redactor would change (it holds a secret), is replaced by a random `x.<hex>` (a `.` no plain id
 * has), so no id can steer the path, make the name too long, collide with another call's file or
 * put a secret into a file name.
 */
function spillName(id: string, redact: (text: string) => string): string {
  return PLAIN_ID.test(id) && redact(id) === id ? id : `x.${randomHex(8)}`;
}

/**
 * Layer 8: output longer than `maxOutput` is redacted, and if still longer cut to its head, its
 * tail and the lines matching words from the call's arguments; the full (redacted) text is saved
 * under `spillRoot` and its path given to the model. Redacting before cutting matters: a cut
 * through a secret would leave a piece of it that no detector recognises. Every non-empty output (and every successful one) is then framed as untrusted data:
 * `<tool_output tool='sh' call_id='c1' ok='true' untrusted='true'>…</tool_output>`, with any
 * closing tag inside the output neutralised so tool output cannot end the frame early. The
 * attributes are single-quoted: benchmark-driven (issue 13, `scripts/bench/turns.ts`), a double
 * quote costs an escape in the JSON of every later request that carries the result, for the
 * provider to parse each turn (8 per tool result).
 */
export function contextEnrichment(options: ContextEnrichmentOptions = {}): Middleware {
  const limit = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
  return (ctx, call, next) =>
    next(call).then((result) => {
      let output = result.output;
      let meta = result.meta;
      if (output.length > limit) output = ctx.redactor.redact(output);
      if (output.length > limit) {
        let note = "the full output was not saved";
        if (options.spillRoot) {
          const dir = join(options.spillRoot, safeFileName(ctx.runId));
          const name = spillName(call.id, (text) => ctx.redactor.redact(text));
          const path = join(dir, `${safeFileName(ctx.runId)}-${name}.txt`);
          try {
            mkdirSync(dir, { recursive: true, mode: 0o700 });
            writeFileSync(path, output, { mode: 0o600 });
            note = `full output (${output.length} characters) saved to ${path}; read that file for the rest`;
            meta = { ...meta, full_output_path: path };
          } catch (err) {
            note = `the full output could not be saved (${(err as Error).message})`;
          }
        }
        meta = { ...meta, output_chars: output.length, truncated: true };
        output = capOutput(output, limit, termsFromArgs(call.args), note);
      }
      if (output === "" && !result.ok) return result;
      const body = output.includes("</") ? output.replace(CLOSING, "<\\/tool_output") : output;
      const open = `<tool_output tool='${attr(call.name)}' call_id='${attr(call.id)}' ok='${result.ok}' untrusted='true'>`;
      const framed = `${open}\n${body}\n</tool_output>`;
      return meta === result.meta ? { ...result, output: framed } : { ...result, output: framed, meta };
    });
}

import { sortStrings } from "../../audit/canonical-json.ts";
import { sha256Hex } from "../../digest/index.ts";
import type { Middleware } from "../../spec/middleware.ts";
import { STOPS } from "../layer-names.ts";
import { refuse } from "../refusal.ts";
import { RunScoped } from "../run-scoped.ts";

export interface LoopDetectionOptions {
  /** How many times one identical call may execute in a run (`loop.max_repeats`, default 3). */
  maxRepeats: number;
}

const NEEDS_NORMALISING = /^\s|\s$|\s\s|[\t\n\r\f\v]/;

function normaliseText(text: string): string {
  return NEEDS_NORMALISING.test(text) ? text.trim().replace(/\s+/g, " ") : text;
}

/** `value` with whitespace and key order normalised; the value itself when that changes nothing. */
function normalise(value: unknown): unknown {
  if (typeof value === "string") return normaliseText(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const mapped = normalise(item);
      if (mapped !== item) {
        copy ??= value.slice();
        copy[i] = mapped;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let unchanged = typeof record["toJSON"] !== "function";
  for (let i = 0; i < keys.length && unchanged; i++) {
    const key = keys[i] as string;
    if (i > 0 && (keys[i - 1] as string) > key) unchanged = false;
    else if (normalise(record[key]) !== record[key]) unchanged = false;
  }
  if (unchanged) return record;
  // Null prototype: an own `__proto__` argument (JSON.parse makes one) stays a key of the copy,
  // instead of setting its prototype and vanishing from the fingerprint.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of sortStrings(keys)) out[key] = normalise(record[key]);
  return out;
}

/** The identity of a call for loop detection: tool name plus arguments with key order and whitespace normalised. */
export function callFingerprint(tool: string, args: Record<string, unknown>): string {
  const text = JSON.stringify(normalise(args)) ?? "";
  return `${tool}\u0000${text.length > 512 ? sha256Hex(text) : text}`;
}

/**
 * Layer 4: an identical call executes at most `maxRepeats` times per run. The next identical call
 * is refused with a tool error telling the model it is repeating itself; if the model insists (a
 * second refusal of the same call) the result also carries `halt: "loop"` and the run ends after
 * the turn. Calls are compared as the tool would run them, with placeholders restored (layer 7
 * restores them after this one): a placeholder the model copied from redacted output and the
 * value it stands for are one call, so alternating them does not double the limit. Per run it
 * keeps one attempt count per distinct call: the first `maxRepeats` attempts executed, the rest
 * were refused.
 */
export function loopDetection(options: LoopDetectionOptions): Middleware {
  const runs = new RunScoped(() => new Map<string, number>());
  return (ctx, call, next) => {
    const seen = runs.get(ctx);
    const key = callFingerprint(call.name, ctx.redactor.restore(call.args));
    const attempts = (seen.get(key) ?? 0) + 1;
    seen.set(key, attempts);
    if (attempts <= options.maxRepeats) return next(call);
    const refused = attempts - options.maxRepeats;
    const times = `${options.maxRepeats} time${options.maxRepeats === 1 ? "" : "s"}`;
    if (refused >= 2) {
      return Promise.resolve(
        refuse(
          ctx,
          call,
          STOPS.loop,
          `loop detected: you repeated this exact ${call.name} call again after being told it already ran ${times}; the run stops here`,
          { halt: "loop", meta: { repeats: attempts } },
        ),
      );
    }
    return Promise.resolve(
      refuse(
        ctx,
        call,
        STOPS.loop,
        `you are repeating yourself: this exact ${call.name} call with the same arguments already ran ${times} and will not give a different result; use its earlier result, change the arguments, or answer (repeating it again ends the run)`,
        { meta: { repeats: attempts } },
      ),
    );
  };
}

/** Detects an assistant repeating the same text turn after turn; see `createTextRepeatDetector`. */
export interface TextRepeatDetector {
  /** Records one assistant text; true when it makes the repetition exceed the limit. */
  check(text: string): boolean;
  /** Forgets the history (e.g. when a new user message arrives). */
  reset(): void;
}

/**
 * For the agent loop: `check` is true when the same assistant text (whitespace normalised,
 * non-empty) has been produced more than `maxRepeats` times in a row. Consecutive, so a recurring
 * short phrase between different tool calls is not mistaken for a loop.
 */
export function createTextRepeatDetector(maxRepeats: number): TextRepeatDetector {
  let last = "";
  let count = 0;
  return {
    check(text) {
      const normalised = normaliseText(text);
      if (normalised === "") return false;
      if (normalised === last) count += 1;
      else {
        last = normalised;
        count = 1;
      }
      return count > maxRepeats;
    },
    reset() {
      last = "";
      count = 0;
    },
  };
}

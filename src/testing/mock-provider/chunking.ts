import type { FinishReason } from "../../spec/model.ts";
import type { MockProviderOptions, MockTurn } from "./types.ts";

/** A scripted turn with everything resolved: ids, JSON arguments split into fragments, usage. */
export interface PreparedTurn {
  textPieces: string[];
  calls: { id: string; name: string; arguments: string; fragments: string[] }[];
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number };
  finish: FinishReason;
}

/** Splits text into pieces of at most `size` characters (never splitting a surrogate pair). */
export function splitText(text: string, size: number): string[] {
  const chars = [...text];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces;
}

/** Resolves a scripted turn for one response; `seed` makes generated ids unique per request. */
export function prepareTurn(
  turn: MockTurn,
  options: MockProviderOptions,
  requestBytes: number,
  seed: number,
  idPrefix: string,
): PreparedTurn {
  const text = turn.text ?? "";
  const argSize = options.byteByByte ? 1 : (options.argumentChunkSize ?? 7);
  const calls = (turn.toolCalls ?? []).map((call, i) => {
    const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    return {
      id: call.id ?? `${idPrefix}${seed}_${i}`,
      name: call.name,
      arguments: args,
      fragments: splitText(args, argSize),
    };
  });
  const answerChars = text.length + calls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return {
    textPieces: splitText(text, options.textChunkSize ?? 6),
    calls,
    usage: {
      inputTokens: turn.usage?.inputTokens ?? Math.max(1, Math.ceil(requestBytes / 4)),
      outputTokens: turn.usage?.outputTokens ?? Math.max(1, Math.ceil(answerChars / 4)),
      cachedInputTokens: turn.usage?.cachedInputTokens ?? 0,
    },
    finish: turn.finish ?? (calls.length ? "tool-calls" : "stop"),
  };
}

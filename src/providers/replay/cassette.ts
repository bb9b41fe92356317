import { readFileSync } from "node:fs";
import type { z } from "zod";
import { lazySchema } from "../../lazy-zod/lazy-schema.ts";
import type { Message, ModelEvent, ModelRequest } from "../../spec/model.ts";

/** Version written in the header line of every cassette. */
export const CASSETTE_VERSION = 1;

/**
 * What a cassette keeps of one request: only what is deterministic across machines. User
 * text, roles, tool call ids and names, and tool result ids and names; never tool output (real
 * tools run during replay) nor tool descriptions.
 */
export const messageSummarySchema = lazySchema((z) =>
  z.discriminatedUnion("role", [
    z.object({ role: z.literal("user"), content: z.string() }),
    z.object({
      role: z.literal("assistant"),
      toolCalls: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
    z.object({ role: z.literal("tool"), toolCallId: z.string(), toolName: z.string() }),
  ]),
);
export type MessageSummary = z.infer<ReturnType<typeof messageSummarySchema>>;

/** Built on first use (`lazySchema`): zod schemas cost start-up time in every run that never reads a cassette back (docs/benchmarks/turns.md). */
const usageSchema = lazySchema((z) =>
  z.object({
    inputTokens: z.number(),
    outputTokens: z.number(),
    cachedInputTokens: z.number().optional(),
  }),
);

/** The events a cassette can hold: everything a successful turn yields (errors are not recorded). */
export const recordedEventSchema = lazySchema((z) =>
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("text-delta"), text: z.string() }),
    z.object({ type: z.literal("tool-call-start"), index: z.number(), id: z.string(), name: z.string() }),
    z.object({ type: z.literal("tool-call-delta"), index: z.number(), argumentsDelta: z.string() }),
    z.object({
      type: z.literal("tool-call-end"),
      index: z.number(),
      call: z.object({ id: z.string(), name: z.string(), arguments: z.string() }),
    }),
    z.object({ type: z.literal("usage"), usage: usageSchema() }),
    z.object({
      type: z.literal("finish"),
      reason: z.enum(["stop", "tool-calls", "length", "content-filter", "other"]),
    }),
  ]),
);

export const cassetteHeaderSchema = lazySchema((z) =>
  z.object({
    agentry_cassette: z.literal(CASSETTE_VERSION),
    created: z.string().optional(),
    model: z.string().optional(),
  }),
);

export const cassetteTurnSchema = lazySchema((z) =>
  z.object({
    turn: z.number().int().positive(),
    model: z.string().optional(),
    request: z.object({ messages: z.array(messageSummarySchema()) }),
    events: z.array(recordedEventSchema()),
  }),
);
export type CassetteTurn = z.infer<ReturnType<typeof cassetteTurnSchema>>;

/** A loaded cassette: its header and its turns in file order (`line` is 1-based). */
export interface Cassette {
  file: string;
  model: string | undefined;
  turns: (CassetteTurn & { line: number })[];
}

/** The deterministic summary of one message. */
export function summarizeMessage(message: Message): MessageSummary {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "assistant":
      return {
        role: "assistant",
        toolCalls: (message.toolCalls ?? []).map((call) => ({ id: call.id, name: call.name })),
      };
    case "tool":
      return { role: "tool", toolCallId: message.toolCallId, toolName: message.toolName };
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The conversation turn a request opens: 1 + the assistant messages before it. */
export function turnNumber(request: Pick<ModelRequest, "messages">): number {
  return request.messages.filter((m) => m.role === "assistant").length + 1;
}

/** Narrows a recorded event to a ModelEvent (the schemas are the same shapes). */
export function asModelEvent(event: CassetteTurn["events"][number]): ModelEvent {
  return structuredClone(event) as ModelEvent;
}

/**
 * Reads and validates a cassette. Throws an Error whose message names the file and line of
 * the first problem; callers wrap it in the error class that fits (config or usage).
 */
export function loadCassette(file: string): Cassette {
  const lines = readFileSync(file, "utf8").split("\n");
  const parse = (index: number): unknown => {
    try {
      return JSON.parse(lines[index] as string);
    } catch {
      throw new Error(`${file}:${index + 1}: not a JSON line`);
    }
  };
  const header = cassetteHeaderSchema().safeParse(parse(0));
  if (!header.success)
    throw new Error(`${file}:1: not an agentry cassette (expected {"agentry_cassette":1,…})`);
  const turns: Cassette["turns"] = [];
  for (let i = 1; i < lines.length; i++) {
    if ((lines[i] as string).trim() === "") continue;
    const turn = cassetteTurnSchema().safeParse(parse(i));
    if (!turn.success) {
      const issue = turn.error.issues[0];
      throw new Error(
        `${file}:${i + 1}: invalid turn at ${issue?.path.join(".") ?? ""}: ${issue?.message ?? ""}`,
      );
    }
    turns.push({ ...turn.data, line: i + 1 });
  }
  return { file, model: header.data.model, turns };
}

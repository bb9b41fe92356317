import type { z } from "zod";
import { lazySchema } from "../lazy-zod/lazy-schema.ts";
import type { Message } from "../spec/model.ts";

/** Validates conversation messages read back from state files; built on first use (start-up). */
export const messageSchema = lazySchema(
  (z): z.ZodType<Message> =>
    z.union([
      z.object({ role: z.literal("user"), content: z.string() }),
      z.object({
        role: z.literal("assistant"),
        content: z.string(),
        toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
      }),
      z.object({
        role: z.literal("tool"),
        toolCallId: z.string(),
        toolName: z.string(),
        content: z.string(),
        isError: z.boolean().optional(),
      }),
    ]),
);

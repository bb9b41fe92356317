import type { RunAgentInput } from "@ag-ui/core";
import { RunAgentInputSchema } from "@ag-ui/core/schemas";
import { z } from "zod";
import type { Budget } from "../agent/usage-meter.ts";
import { isGeneratedRunId, isSubAgentRunId } from "../runtime/run-id.ts";
import { SERVER_RUN_ID } from "./server-state.ts";

const THREAD_ID = /^[A-Za-z0-9._-]{1,128}$/;

const forwardedPropsSchema = z
  .object({
    vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(65_536)).optional(),
    budget: z
      .object({
        usd: z.number().positive().optional(),
        tokens: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** What a `POST /v1/agents/{agent}/runs` asks for, validated. */
export interface RunInput {
  runId: string;
  threadId: string;
  /** The text of the last user message; empty when the input only resumes. */
  prompt: string;
  vars?: Record<string, string>;
  budget?: Budget;
  /** AG-UI resume entries answering a previous run's interrupts. */
  resume: NonNullable<RunAgentInput["resume"]>;
}

/**
 * Validates an AG-UI `RunAgentInput` (with `@ag-ui/core`'s schema), then agentry's reading of it:
 * `threadId` is the session id, the prompt is the last message (a user message), and
 * `forwardedProps` may carry `vars` and a `budget`. Earlier messages in the input are not
 * trusted: the conversation comes from the session the server saved, so a client cannot forge
 * assistant turns or tool results. An absent `runId` gets a fresh one. A client's `runId` of the
 * sub-agent form (`<run>.<n>`) or of the form agentry generates (`newRunId`, the ids of CLI,
 * batch and scheduled runs, which the server does not know) is refused: its run would share one
 * audit chain with that other run (a fork `audit verify` fails).
 */
export function parseRunInput(
  body: unknown,
  newRunId: () => string,
): { ok: true; input: RunInput } | { ok: false; message: string } {
  const fresh = body !== null && typeof body === "object" && !Array.isArray(body) && !("runId" in body);
  const withRunId = fresh ? { ...body, runId: newRunId() } : body;
  const parsed = RunAgentInputSchema.safeParse(withRunId);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `not an AG-UI RunAgentInput: ${issue?.path.join(".")} ${issue?.message}` };
  }
  const { runId, threadId, messages, forwardedProps, resume } = parsed.data;
  if (!SERVER_RUN_ID.test(runId)) return { ok: false, message: "runId: use letters, digits, . _ - (1-128)" };
  if (isSubAgentRunId(runId))
    return { ok: false, message: "runId: an id ending in .<digits> is reserved for sub-agent runs" };
  if (!fresh && isGeneratedRunId(runId))
    return {
      ok: false,
      message: "runId: an id of the form r<date>T<time>-<hex> is reserved for the runs agentry names itself",
    };
  if (!THREAD_ID.test(threadId))
    return { ok: false, message: "threadId: use letters, digits, . _ - (1-128)" };
  const props = forwardedPropsSchema.safeParse(forwardedProps ?? {});
  if (!props.success) {
    const issue = props.error.issues[0];
    return { ok: false, message: `forwardedProps.${issue?.path.join(".")}: ${issue?.message}` };
  }
  const last = messages.at(-1);
  const prompt = last?.role === "user" ? textOf(last.content) : "";
  if ((resume ?? []).length === 0 && prompt.trim() === "") {
    return { ok: false, message: "messages: the last message must be a user message with text" };
  }
  return {
    ok: true,
    input: {
      runId,
      threadId,
      prompt,
      resume: resume ?? [],
      ...(props.data.vars ? { vars: props.data.vars } : {}),
      ...(props.data.budget ? { budget: props.data.budget } : {}),
    },
  };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) =>
      part !== null && typeof part === "object" && "type" in part && part.type === "text" && "text" in part
        ? String(part.text)
        : "",
    )
    .join("");
}

/**
 * A client's budget may only tighten the configured one: each limit is the smaller of the two,
 * so a caller cannot buy more spending than the operator allowed.
 */
export function clampBudget(
  requested: Budget | undefined,
  configured: Budget | undefined,
): Budget | undefined {
  if (!requested) return configured;
  const lower = (asked?: number, limit?: number) =>
    asked === undefined ? limit : limit === undefined ? asked : Math.min(asked, limit);
  const usd = lower(requested.usd, configured?.usd);
  const tokens = lower(requested.tokens, configured?.tokens);
  return { ...(usd !== undefined ? { usd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}

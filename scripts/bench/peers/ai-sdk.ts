/** The benchmark job on the Vercel AI SDK: streamText with one tool, looping until no tool calls. */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { stepCountIs, streamText, tool } from "ai";
import { z } from "zod";
import { MODEL, parseArgs, readNote, runAll, TOOL_DESCRIPTION } from "./job.ts";

const args = parseArgs(process.argv);
const provider = createOpenAICompatible({ name: "mock", baseURL: args.baseUrl, apiKey: "mock" });
const read = tool({
  description: TOOL_DESCRIPTION,
  inputSchema: z.object({ op: z.literal("read"), path: z.string() }),
  execute: ({ path }) => readNote(args.root, path),
});

await runAll(args, async (prompt) => {
  let failure: unknown;
  const result = streamText({
    model: provider.chatModel(MODEL),
    prompt,
    tools: { read },
    stopWhen: stepCountIs(10_000),
    maxRetries: 0,
    onError: ({ error }) => {
      failure = error;
    },
  });
  const text = await result.text;
  if (failure) throw failure;
  return text;
});

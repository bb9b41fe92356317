/** The benchmark job on the OpenAI Agents SDK: one Agent, Chat Completions, streamed, tracing off. */
import { Agent, OpenAIProvider, Runner, tool } from "@openai/agents";
import { z } from "zod";
import { MODEL, parseArgs, readNote, runAll, TOOL_DESCRIPTION } from "./job.ts";

const args = parseArgs(process.argv);
const runner = new Runner({
  modelProvider: new OpenAIProvider({ apiKey: "mock", baseURL: args.baseUrl, useResponses: false }),
  tracingDisabled: true,
});
const read = tool({
  name: "read",
  description: TOOL_DESCRIPTION,
  parameters: z.object({ op: z.literal("read"), path: z.string() }),
  execute: ({ path }) => readNote(args.root, path),
});
const agent = new Agent({ name: "a", instructions: "Use the read tool.", model: MODEL, tools: [read] });

await runAll(args, async (prompt) => {
  const result = await runner.run(agent, prompt, { stream: true, maxTurns: 10_000 });
  for await (const _event of result) {
  }
  await result.completed;
  if (result.error) throw result.error;
  return String(result.finalOutput ?? "");
});

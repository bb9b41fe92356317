/**
 * The benchmark job on Mastra: an Agent over Mastra's own OpenAI-compatible model config
 * (chat completions), streamed.
 */
import { Agent } from "@mastra/core/agent";
import { createTool } from "@mastra/core/tools";
import { z } from "zod";
import { MODEL, parseArgs, readNote, runAll, TOOL_DESCRIPTION } from "./job.ts";

const args = parseArgs(process.argv);
const read = createTool({
  id: "read",
  description: TOOL_DESCRIPTION,
  inputSchema: z.object({ op: z.literal("read"), path: z.string() }),
  execute: async ({ path }) => readNote(args.root, path),
});
const agent = new Agent({
  id: "a",
  name: "a",
  instructions: "Use the read tool.",
  model: { providerId: "mock", modelId: MODEL, url: args.baseUrl, apiKey: "mock", api: "chat" },
  tools: { read },
});

await runAll(args, async (prompt) => {
  const output = await agent.stream(prompt, { maxSteps: 10_000 });
  return output.text;
});

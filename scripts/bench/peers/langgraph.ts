/** The benchmark job on LangGraph.js: the prebuilt ReAct agent over a streaming ChatOpenAI. */
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { MODEL, parseArgs, readNote, runAll, TOOL_DESCRIPTION } from "./job.ts";

const args = parseArgs(process.argv);
const llm = new ChatOpenAI({
  model: MODEL,
  apiKey: "mock",
  configuration: { baseURL: args.baseUrl },
  streaming: true,
  maxRetries: 0,
});
const read = tool(({ path }) => readNote(args.root, path), {
  name: "read",
  description: TOOL_DESCRIPTION,
  schema: z.object({ op: z.literal("read"), path: z.string() }),
});
const agent = createReactAgent({ llm, tools: [read] });

/**
 * Streams the graph in "messages" mode (token chunks) plus "values" (state after each step).
 * Streaming through the graph also keeps ChatOpenAI off its `_generate` path, which estimates
 * token counts with tiktoken and downloads its ranks from tiktoken.pages.dev on first use.
 */
await runAll(args, async (prompt) => {
  const stream = await agent.stream(
    { messages: [{ role: "user", content: prompt }] },
    { streamMode: ["messages", "values"], recursionLimit: 10_000 },
  );
  let answer = "";
  for await (const [mode, chunk] of stream) {
    if (mode !== "values") continue;
    const last = chunk.messages.at(-1);
    answer = typeof last?.content === "string" ? last.content : JSON.stringify(last?.content);
  }
  return answer;
});

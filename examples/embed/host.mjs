// A host program embedding agentry: it defines a tool in code, starts agentry's mock LLM
// provider (so it runs offline), runs an agent that calls the tool, and prints the answer.
// Run it from this repository after `npm run build:lib`, on Node ≥ 20 or Bun:
//   node examples/embed/host.mjs "What is the weather in Oslo?"
// `import "agentry"` resolves through package.json "exports", exactly as in a project that
// installed the package.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime, defineTool, loadConfigText, runStream } from "agentry";
import { startMockProvider } from "agentry/testing";
import { z } from "zod";

const FORECASTS = { oslo: "7°C and light rain", lisbon: "21°C and sunny" };

const weather = defineTool({
  name: "weather",
  description: "Today's forecast for a city.",
  parameters: z.object({ city: z.string().describe("city name, e.g. Oslo") }),
  readOnly: true,
  execute: async ({ city }) => {
    const forecast = FORECASTS[city.toLowerCase()];
    return forecast ? `${city}: ${forecast}` : { ok: false, output: "", error: `no forecast for ${city}` };
  },
});

/** The scripted model: first asks for the tool, then answers with what the tool returned. */
function scriptedModel(request, turn) {
  if (turn === 0) return { toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] };
  const toolMessage = request.body.messages.findLast((message) => message.role === "tool");
  const forecast = /Oslo: ([^\n"]+)/.exec(String(toolMessage?.content))?.[1] ?? "unknown";
  return { text: `The forecast for Oslo is ${forecast}.` };
}

const mock = await startMockProvider({ turns: scriptedModel });
const stateDir = mkdtempSync(join(tmpdir(), "agentry-embed-"));
try {
  const loaded = await loadConfigText(
    `
[defaults]
agent = "forecaster"
model = "mock/gpt-4.1-mini"

[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
retries = 0

[agents.forecaster]
instructions = "Answer weather questions with the weather tool."
tools = ["weather"]
mode = "auto"
`,
    { tools: [weather] },
  );
  const runtime = createRuntime(loaded, { tools: [weather], stateDir });
  const prompt = process.argv.slice(2).join(" ") || "What is the weather in Oslo?";
  const { events, result } = runStream(runtime, { prompt });
  for await (const event of events) {
    if (event.type === "tool_call")
      process.stderr.write(`tool ${event.name} ${JSON.stringify(event.args)}\n`);
    if (event.type === "tool_result") process.stderr.write(`  -> ${event.ok ? "ok" : event.error}\n`);
  }
  const outcome = await result;
  await runtime.close();
  process.stdout.write(`${outcome.answer}\n`);
  process.stderr.write(`status ${outcome.status} (${outcome.stopReason}), ${outcome.turns} turns\n`);
  process.exitCode = outcome.exitCode;
} finally {
  await mock.close();
  rmSync(stateDir, { recursive: true, force: true });
}

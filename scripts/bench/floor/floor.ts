/**
 * The floor of SPEC §10: the least an agent loop can do — plain `fetch`, no framework, no checks.
 * Streams an OpenAI-compatible chat completion, runs the tool calls (read a file), appends the
 * results and repeats until the model answers; N agents concurrently in one process.
 *   floor BASE_URL FILE CONCURRENCY PROMPT
 * Compiled with `bun build --compile` like agentry (`buildFloor` in scripts/bench/fixtures.ts).
 * Two switches probe Bun's in-flight request limit: `FLOOR_SET_MAX_HTTP_REQUESTS=N` assigns
 * `BUN_CONFIG_MAX_HTTP_REQUESTS` in-process before the first fetch; `FLOOR_REEXEC_MAX_HTTP_REQUESTS=N`
 * replaces the process with itself (`process.execve`) with the variable set, when it is unset.
 */
import { readFileSync } from "node:fs";

const inProcessLimit = process.env["FLOOR_SET_MAX_HTTP_REQUESTS"];
if (inProcessLimit) process.env["BUN_CONFIG_MAX_HTTP_REQUESTS"] = inProcessLimit;
const reexecLimit = process.env["FLOOR_REEXEC_MAX_HTTP_REQUESTS"];
if (reexecLimit && !process.env["BUN_CONFIG_MAX_HTTP_REQUESTS"]) {
  process.execve?.(process.execPath, [process.execPath, ...process.argv.slice(2)], {
    ...process.env,
    BUN_CONFIG_MAX_HTTP_REQUESTS: reexecLimit,
  });
}

const [baseUrl, file, concurrency, prompt] = process.argv.slice(2);
const tools = [
  {
    type: "function",
    function: {
      name: "read",
      description: "read the file",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
  },
];

type Call = { id: string; name: string; arguments: string };

async function agent(index: number): Promise<number> {
  const messages: unknown[] = [{ role: "user", content: `${prompt} #${index}` }];
  for (let turn = 1; ; turn++) {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "floor",
        messages,
        tools,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const text = await response.text();
    let content = "";
    const calls: Call[] = [];
    for (const line of text.split("\n")) {
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      const delta = JSON.parse(line.slice(6)).choices?.[0]?.delta;
      if (!delta) continue;
      content += delta.content ?? "";
      for (const part of delta.tool_calls ?? []) {
        calls[part.index] ??= { id: "", name: "", arguments: "" };
        const call = calls[part.index] as Call;
        call.id ||= part.id ?? "";
        call.name ||= part.function?.name ?? "";
        call.arguments += part.function?.arguments ?? "";
      }
    }
    if (calls.length === 0) return turn;
    messages.push({
      role: "assistant",
      content: content || null,
      tool_calls: calls.map((c) => ({
        id: c.id,
        type: "function",
        function: { name: c.name, arguments: c.arguments },
      })),
    });
    for (const call of calls)
      messages.push({ role: "tool", tool_call_id: call.id, content: readFileSync(file as string, "utf8") });
  }
}

const turns = await Promise.all(Array.from({ length: Number(concurrency) }, (_, i) => agent(i)));
console.log(turns.reduce((a, b) => a + b, 0));

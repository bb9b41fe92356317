import { jsonrepair } from "jsonrepair";

/** The key under which arguments that are not a JSON object are sent back to the model as text. */
export const RAW_ARGUMENTS_KEY = "_raw_arguments";

/**
 * A tool call's arguments as the JSON object that Anthropic (`tool_use.input`) and Gemini
 * (`functionCall.args`) require in the history: strict JSON, else repaired JSON (the loop writes
 * repaired arguments back, so this is the exception), else `{ "_raw_arguments": "<text>" }`, so the
 * model still sees what it sent and why its call failed, never a misleading `{}`.
 */
export function toolArgumentsObject(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  for (const read of [(text: string) => JSON.parse(text), (text: string) => JSON.parse(jsonrepair(text))]) {
    try {
      const parsed: unknown = read(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
      break;
    } catch {
      /* try the next reading */
    }
  }
  return { [RAW_ARGUMENTS_KEY]: raw };
}

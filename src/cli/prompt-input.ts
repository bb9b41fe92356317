import { UsageError } from "../spec/errors.ts";

/**
 * The prompt from words, or from stdin for `-` or when no words are given and stdin is piped.
 * `process.stdin` is touched only then (building the stream costs start-up time).
 */
export async function readPrompt(words: string[]): Promise<string> {
  const fromArgs = words.join(" ").trim();
  if (fromArgs !== "" && fromArgs !== "-") return fromArgs;
  const stdin = process.stdin;
  if (fromArgs === "" && stdin.isTTY) {
    throw new UsageError("no prompt given", {
      hint: 'agentry run AGENT "what to do", or pipe the prompt on stdin',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") throw new UsageError("the prompt read from stdin is empty");
  return text;
}

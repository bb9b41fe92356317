/**
 * The one agent job every peer program runs, and the harness around it: argv parsing, the tool's
 * body, N concurrent runs with Promise.all, and a one-line summary the driver checks.
 *   <program> <openai-base-url> <root-dir> <agents>
 * The mock provider decides how many tool calls each run makes; the program loops until the
 * model answers without tool calls.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** Parsed command line of a peer program. */
export interface JobArgs {
  baseUrl: string;
  root: string;
  agents: number;
}

/** The model name every program asks the mock for. */
export const MODEL = "gpt-4.1-mini";

/** The tool's description, identical in every program. */
export const TOOL_DESCRIPTION =
  'Reads a text file inside the root. op must be "read"; path is relative to the root.';

/** Reads argv or exits with a usage error; the base URL must be loopback. */
export function parseArgs(argv: string[]): JobArgs {
  const [baseUrl, root, agents] = argv.slice(2);
  const count = Number(agents);
  if (!baseUrl || !root || !Number.isInteger(count) || count <= 0) {
    console.error("usage: <program> <openai-base-url> <root-dir> <agents>");
    process.exit(2);
  }
  if (new URL(baseUrl).hostname !== "127.0.0.1") {
    console.error(`refusing a non-loopback base URL: ${baseUrl}`);
    process.exit(2);
  }
  return { baseUrl, root, agents: count };
}

/** The tool body: the text of a file under the root (paths escaping the root are refused). */
export async function readNote(root: string, path: string): Promise<string> {
  if (path.includes("..") || path.startsWith("/")) return "error: path outside the root";
  return readFile(join(root, path), "utf8");
}

/** The prompt of agent number `index`. */
export function promptOf(index: number): string {
  return `job ${index}: read the notes with the read tool and report what they say`;
}

/**
 * Runs `agents` copies of `runOne` at once and prints `ok <n> <first answer>`; any failure
 * prints the error and exits 1.
 */
export async function runAll(args: JobArgs, runOne: (prompt: string) => Promise<string>): Promise<void> {
  try {
    const answers = await Promise.all(Array.from({ length: args.agents }, (_, i) => runOne(promptOf(i))));
    const empty = answers.filter((a) => a.trim() === "").length;
    if (empty > 0) throw new Error(`${empty} of ${answers.length} runs ended without an answer`);
    console.log(`ok ${answers.length} ${JSON.stringify(answers[0])}`);
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  }
}

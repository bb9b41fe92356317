import { type ChildProcess, spawn } from "node:child_process";
import { BINARY } from "./binary.ts";

/** A running `agentry serve` child process. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns `dist/agentry serve ARGS` and resolves once it prints `listening on URL` on stderr
 * (rejects with its stderr if it exits first).
 */
export function startServerProcess(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<ServerProcess> {
  const env: Record<string, string> = {};
  const base = { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1", ...options.env };
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const child = spawn(BINARY, ["serve", ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const match = /listening on (\S+)/.exec(stderr);
      if (match?.[1]) {
        resolve({
          url: match[1],
          child,
          stderr: () => stderr,
          stop: (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.stdout.resume();
    exited.then((code) => reject(new Error(`agentry serve exited ${code} before listening:\n${stderr}`)));
  });
}

/** One SSE message: its `id` and parsed `data`. */
export interface SseMessage {
  id: string | undefined;
  data: Record<string, unknown>;
}

/**
 * Reads SSE messages from a response body. `stopAfter` ends reading (and cancels the body,
 * like a client that goes away) after that many messages.
 */
export async function readSse(
  response: Response,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return messages;
  let buffer = "";
  while (messages.length < stopAfter) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split("\n");
      const data = lines.filter((line) => line.startsWith("data: ")).map((line) => line.slice(6));
      if (data.length === 0) continue;
      const id = lines.find((line) => line.startsWith("id: "))?.slice(4);
      messages.push({ id, data: JSON.parse(data.join("\n")) as Record<string, unknown> });
      if (messages.length >= stopAfter) break;
    }
  }
  await reader.cancel();
  return messages;
}

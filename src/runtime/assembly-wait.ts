import { RunStop } from "../spec/run-stop.ts";
import type { AssembledAgent } from "./resolve-agent.ts";

/**
 * The agent `assembly` gives, or a `RunStop` as soon as `signal` aborts (the signal's own when it
 * carries one, else `cancelled`). Assembling can wait for an MCP server to start, up to its
 * `startup_timeout`, and a Ctrl-C or the run's deadline must not wait for it. The assembly itself
 * goes on: it is cached for the runtime's later runs, and closing the runtime stops its servers.
 */
export function assembledUnlessStopped(
  assembly: Promise<AssembledAgent>,
  signal: AbortSignal,
): Promise<AssembledAgent> {
  const stopped = () => (signal.reason instanceof RunStop ? signal.reason : new RunStop("cancelled"));
  if (signal.aborted) {
    assembly.catch(() => {});
    return Promise.reject(stopped());
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener("abort", onAbort, { once: true });
    assembly.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

import { describe, expect, test } from "bun:test";
import { assembledUnlessStopped } from "../../src/runtime/assembly-wait.ts";
import type { AssembledAgent } from "../../src/runtime/resolve-agent.ts";
import { RunStop } from "../../src/spec/run-stop.ts";

const agent = { instructions: "x" } as unknown as AssembledAgent;

/** An assembly the test settles by hand. */
function pendingAssembly() {
  let settle!: { resolve: (agent: AssembledAgent) => void; reject: (err: unknown) => void };
  const promise = new Promise<AssembledAgent>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
}

describe("assembledUnlessStopped", () => {
  test("gives the assembled agent when the run is not stopped", async () => {
    const assembly = pendingAssembly();
    const waited = assembledUnlessStopped(assembly.promise, new AbortController().signal);
    assembly.resolve(agent);
    expect(await waited).toBe(agent);
  });

  test("passes an assembly failure on", async () => {
    const assembly = pendingAssembly();
    const waited = assembledUnlessStopped(assembly.promise, new AbortController().signal);
    assembly.reject(new Error("required MCP server failed"));
    await expect(waited).rejects.toThrow("required MCP server failed");
  });

  test("rejects with the run's RunStop as soon as the run stops, without waiting for the assembly", async () => {
    const assembly = pendingAssembly();
    const controller = new AbortController();
    const waited = assembledUnlessStopped(assembly.promise, controller.signal);
    controller.abort(new RunStop("interrupted"));
    const stop = await waited.catch((err: unknown) => err);
    expect(stop).toBeInstanceOf(RunStop);
    expect((stop as RunStop).reason).toBe("interrupted");
    assembly.reject(new Error("late failure, nobody waits for it"));
  });

  test("a run stopped before it asked, or by a plain abort, is cancelled", async () => {
    const before = new AbortController();
    before.abort();
    const assembly = pendingAssembly();
    const stop = await assembledUnlessStopped(assembly.promise, before.signal).catch((err: unknown) => err);
    expect((stop as RunStop).reason).toBe("cancelled");
    assembly.reject(new Error("late failure of an assembly nobody waits for"));
    await Bun.sleep(0);
  });
});

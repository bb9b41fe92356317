import { AsyncLocalStorage } from "node:async_hooks";
import { McpServer, type ServerContext } from "@modelcontextprotocol/server";
import { type StdioServerHandle, serveStdio } from "@modelcontextprotocol/server/stdio";
import type { LoadedConfig } from "../../config/loader.ts";
import type { ApproveMode } from "../../config/schema.ts";
import { createRuntime, type Runtime } from "../../runtime/runtime.ts";
import { elicitingApprover } from "./elicit-approver.ts";
import { runToolResult } from "./run-result.ts";
import { inputSchemaOf, servedTargets } from "./served-targets.ts";

/** How `agentry mcp serve` runs. */
export interface ServeOptions {
  loaded: LoadedConfig;
  /** `--approve`; `ask` asks the client through elicitation where it supports it. */
  approve: ApproveMode;
  version: string;
  /** Aborts every run in flight (Ctrl-C, SIGTERM). */
  signal: AbortSignal;
  /** GC pacing of the runtime (`RuntimeOptions.collectGarbage`): the CLI turns it on; off by default. */
  collectGarbage?: boolean;
}

/** A running server: `closed` settles when the client hangs up or `close` is called. */
export interface McpServeHandle {
  runtime: Runtime;
  closed: Promise<void>;
  close(): Promise<void>;
}

function pendingApprovals(runtime: Runtime, runId: string): string[] {
  try {
    return runtime.deferred.load(runId).pending.map((item) => item.approval_id);
  } catch {
    return [];
  }
}

/**
 * Serves every configured agent and flow as an MCP tool over stdio (both protocol eras). Each call
 * is one `agentry run`, governed the same way (audit, budgets, redaction, approvals per
 * `--approve`); nothing but MCP messages is written to stdout.
 */
export function serveMcp(options: ServeOptions): McpServeHandle {
  const calls = new AsyncLocalStorage<ServerContext>();
  const runtime = createRuntime(options.loaded, {
    ask: elicitingApprover(calls),
    collectGarbage: options.collectGarbage ?? false,
  });
  const targets = servedTargets(options.loaded.config);
  const factory = () => {
    const server = new McpServer(
      { name: "agentry", version: options.version },
      { capabilities: { tools: {} } },
    );
    for (const target of targets) {
      server.registerTool(
        target.tool,
        { description: target.description, inputSchema: inputSchemaOf(target) },
        async (args, ctx) => {
          const { prompt, ...vars } = args as Record<string, string>;
          const signal = AbortSignal.any([options.signal, ...(ctx.mcpReq.signal ? [ctx.mcpReq.signal] : [])]);
          const result = await calls.run(ctx, () =>
            runtime.run({
              target: target.target,
              prompt: prompt ?? "",
              vars,
              approve: options.approve,
              signal,
            }),
          );
          return runToolResult(result, pendingApprovals(runtime, result.runId));
        },
      );
    }
    return server;
  };
  let closing: Promise<void> | undefined;
  let finish: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const handle: StdioServerHandle = serveStdio(factory, { onerror: () => {} });
  process.stdin.once("end", () => finish());
  process.stdin.once("close", () => finish());
  return {
    runtime,
    closed,
    close: () => {
      closing ??= (async () => {
        await handle.close();
        await runtime.close();
        finish();
      })();
      return closing;
    },
  };
}

import type { Command } from "commander";
import { parseDuration, parseSize } from "../../config/units.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { loadCliConfig } from "../cli-config.ts";
import { createCliRuntime } from "../cli-runtime.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";

/** Options of `agentry serve`. */
export interface ServeOptions extends CommonOptions {
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  behindProxy?: boolean;
  allowOrigin: string[];
  maxBody: string;
  interruptTtl: string;
  grace: string;
}

/**
 * `agentry serve`: a governed agent server speaking AG-UI over HTTP/SSE, with approvals as
 * AG-UI interrupts decided over HTTP or on the page at `/` (docs/SERVER.md). Prints
 * `listening on URL` on stderr; SIGTERM/SIGINT stop it gracefully (exit 0).
 */
export default async function serveCommand(options: ServeOptions, _command: Command): Promise<ExitCodeValue> {
  const { checkExposure, parseListen } = await import("../../server/listen-address.ts");
  const { loadApproverToken, loadServerToken } = await import("../../server/server-token.ts");
  const address = parseListen(options.listen);
  checkExposure(address, options);
  for (const origin of options.allowOrigin) checkOrigin(origin);
  const maxBodyBytes = sizeFlag("--max-body", options.maxBody);
  const interruptTtlMs = durationFlag("--interrupt-ttl", options.interruptTtl);
  const graceMs = durationFlag("--grace", options.grace);
  const { loaded } = await loadCliConfig(options.config !== undefined ? { config: options.config } : {});
  const stateDir = resolveStateDir(loaded.config.defaults?.state_dir);
  const operator = loadServerToken(process.env, stateDir);
  const approver = loadApproverToken(process.env);
  if (approver === operator.token)
    throw new UsageError("AGENTRY_APPROVER_TOKEN must differ from the server token");
  const { startServer } = await import("../../server/serve.ts");
  const runtime = createCliRuntime(loaded);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = startServer({
      loaded,
      runtime,
      stateDir,
      address,
      tls: options.tlsCert && options.tlsKey ? { cert: options.tlsCert, key: options.tlsKey } : undefined,
      allowOrigins: options.allowOrigin,
      maxBodyBytes,
      interruptTtlMs,
      tokens: { operator: operator.token, approver },
      warn: (message) => writeInfo(`warning: ${message}`),
    });
  } catch (err) {
    await runtime.close();
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot listen on ${options.listen}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  writeInfo(
    operator.source.kind === "env"
      ? "token: AGENTRY_SERVER_TOKEN"
      : `token: ${operator.source.created ? "generated into" : "read from"} ${operator.source.path} (mode 0600)`,
  );
  if (approver) writeInfo("approver token: AGENTRY_APPROVER_TOKEN (may decide approvals, not start runs)");
  writeInfo(`listening on ${server.url}`);
  const signal = await stopSignal();
  writeInfo(`${signal}: no new requests; letting runs reach a resumable state`);
  await server.stop(graceMs);
  await runtime.close();
  writeInfo("stopped");
  return ExitCode.ok;
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];
    const onSignal = (signal: NodeJS.Signals) => {
      for (const name of signals) process.off(name, onSignal);
      process.once("SIGINT", () => process.exit(ExitCode.interrupted));
      resolve(signal);
    };
    for (const name of signals) process.on(name, onSignal);
  });
}

function checkOrigin(origin: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, "")) {
    throw new UsageError(
      `--allow-origin ${JSON.stringify(origin)} is not an origin like https://ops.example.com`,
    );
  }
}

function durationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a duration like 30s or 24h`);
  return ms;
}

function sizeFlag(flag: string, value: string): number {
  const bytes = parseSize(value);
  if (bytes === undefined || bytes < 1024)
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a size of at least 1KiB`);
  return bytes;
}

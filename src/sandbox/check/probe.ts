import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";

/** The hidden subcommand agentry runs inside a sandbox to probe it (`agentry sandbox check`). */
export const PROBE_SUBCOMMAND = "__sandbox-probe";

const CONNECT_TIMEOUT_MS = 5000;

/** What a probe reports: whether the attempt succeeded, and the error code when it did not. */
export interface ProbeOutcome {
  succeeded: boolean;
  detail: string;
}

/**
 * One attempt made from inside a sandbox: `write PATH` (create a new file), `read PATH` (a file's
 * bytes or a directory's entries), `connect HOST PORT` (a TCP connection), `proxy HOST PORT` (a
 * `CONNECT HOST:PORT` through the proxy `HTTPS_PROXY` names, as the network bridge sets it). Prints
 * `probe: succeeded …` or `probe: refused CODE` on stdout; exit 0 only when the attempt succeeded.
 */
export async function runProbe(args: readonly string[]): Promise<number> {
  const outcome = await attempt(args);
  process.stdout.write(`probe: ${outcome.succeeded ? "succeeded" : "refused"} ${outcome.detail}\n`);
  return outcome.succeeded ? 0 : 1;
}

async function attempt([kind, target = "", port = ""]: readonly string[]): Promise<ProbeOutcome> {
  try {
    switch (kind) {
      case "write":
        writeFileSync(target, "agentry sandbox check\n", { flag: "wx" });
        return { succeeded: true, detail: "wrote the file" };
      case "read":
        if (statSync(target).isDirectory()) {
          return { succeeded: true, detail: `listed ${readdirSync(target).length} entries` };
        }
        return { succeeded: true, detail: `read ${readFileSync(target).length} bytes` };
      case "connect":
        return await connectTo(target, Number(port));
      case "proxy":
        return await connectThroughProxy(target, Number(port));
      default:
        return { succeeded: false, detail: `unknown probe ${JSON.stringify(kind)}` };
    }
  } catch (error) {
    return { succeeded: false, detail: errorCode(error) };
  }
}

function connectTo(host: string, port: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ succeeded: false, detail: "ETIMEDOUT" });
    }, CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ succeeded: true, detail: "connected" });
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      resolve({ succeeded: false, detail: errorCode(error) });
    });
  });
}

/**
 * Asks the proxy in `HTTPS_PROXY` for a tunnel to `host:port`: succeeded on a 2xx answer, refused
 * with `HTTP <status>` otherwise, or with why no answer came.
 */
function connectThroughProxy(host: string, port: number): Promise<ProbeOutcome> {
  const proxy = process.env["HTTPS_PROXY"] ?? process.env["https_proxy"];
  if (!proxy) return Promise.resolve({ succeeded: false, detail: "no HTTPS_PROXY in the environment" });
  const { hostname, port: proxyPort } = new URL(proxy);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(proxyPort) });
    let head = "";
    const finish = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ succeeded: false, detail: "ETIMEDOUT" }), CONNECT_TIMEOUT_MS);
    socket.setEncoding("latin1");
    socket.once("connect", () =>
      socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`),
    );
    socket.on("data", (chunk: string) => {
      head += chunk;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      if (status) finish({ succeeded: status.startsWith("2"), detail: `HTTP ${status}` });
      else if (head.length > 1024) finish({ succeeded: false, detail: "not an HTTP answer" });
    });
    socket.once("error", (error) => finish({ succeeded: false, detail: errorCode(error) }));
    socket.once("end", () => finish({ succeeded: false, detail: "closed without an answer" }));
  });
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Reads a probe's report back from its output (undefined when the probe never ran). */
export function probeReport(output: string): ProbeOutcome | undefined {
  const line = /probe: (succeeded|refused) ([^\n]*)/.exec(output);
  return line ? { succeeded: line[1] === "succeeded", detail: line[2] ?? "" } : undefined;
}

import type { ToolResult } from "../../spec/tool.ts";
import type { ProxyEvent } from "./proxy-events.ts";

/** One request the proxy did not carry: refused by policy, or failed upstream. */
export interface NetworkIncident {
  method: string;
  destination: string;
  reason: string;
}

/**
 * What the proxy did during one sandboxed call, for the tool result (and through its output and
 * error, the audit log). Lists keep the first `MAX_LISTED` entries; `omitted` counts the rest.
 */
export interface NetworkReport {
  /** Distinct `host:port` destinations that were connected. */
  allowed: string[];
  refused: NetworkIncident[];
  failed: NetworkIncident[];
  /** Malformed, oversized or too-slow requests answered 4xx/5xx before any decision. */
  rejected: number;
  omitted: number;
}

const MAX_LISTED = 20;

/** Something that reports what a proxy did since it was last asked (a launch's proxy). */
export interface NetworkReporter {
  takeReport(): NetworkReport;
}

/** Collects proxy events into a bounded `NetworkReport`. */
export interface ReportCollector {
  listener(event: ProxyEvent): void;
  /** Everything since the start. */
  report(): NetworkReport;
  /** Everything since the last `take` (a long-lived MCP server's proxy, reported call by call). */
  take(): NetworkReport;
}

/** A fresh, empty collector. */
export function createReportCollector(): ReportCollector {
  let allowed = new Set<string>();
  let refused: NetworkIncident[] = [];
  let failed: NetworkIncident[] = [];
  let rejected = 0;
  let omitted = 0;
  const report = (): NetworkReport => ({
    allowed: [...allowed],
    refused: [...refused],
    failed: [...failed],
    rejected,
    omitted,
  });
  const keep = (list: NetworkIncident[], entry: NetworkIncident) => {
    if (list.length < MAX_LISTED) list.push(entry);
    else omitted++;
  };
  return {
    listener(event) {
      switch (event.type) {
        case "allowed":
          if (allowed.size < MAX_LISTED) allowed.add(event.destination);
          break;
        case "refused":
          keep(refused, { method: event.method, destination: event.destination, reason: event.reason });
          break;
        case "failed":
          keep(failed, { method: event.method, destination: event.destination, reason: event.reason });
          break;
        case "rejected":
          rejected++;
          break;
      }
    },
    report,
    take() {
      const taken = report();
      allowed = new Set();
      refused = [];
      failed = [];
      rejected = 0;
      omitted = 0;
      return taken;
    },
  };
}

/**
 * The lines appended to a sandboxed call's output when the proxy refused or failed something, so
 * the model learns why its request failed (a 403 from a CONNECT is all most clients print) and
 * the audit log records it. Undefined when there is nothing to say.
 */
export function describeNetworkReport(report: NetworkReport): string | undefined {
  const lines: string[] = [];
  for (const entry of report.refused) {
    lines.push(`refused ${entry.method} ${entry.destination}: ${entry.reason}`);
  }
  for (const entry of report.failed) {
    lines.push(`failed ${entry.method} ${entry.destination}: ${entry.reason}`);
  }
  if (report.omitted > 0) lines.push(`(${report.omitted} more not listed)`);
  if (report.rejected > 0) lines.push(`${report.rejected} malformed request(s) rejected`);
  if (lines.length === 0) return undefined;
  return `[sandbox network proxy]\n${lines.join("\n")}`;
}

/**
 * The result with the proxy's report added: to the output the model sees and, for a failed call,
 * to the error too, so the audit record (which keeps the error whole and the output's start) holds
 * it; `meta.network` carries the report. The text is unchanged when nothing was refused or failed.
 */
export function withReport(result: ToolResult, report: NetworkReport): ToolResult {
  const meta = { ...result.meta, network: report };
  const note = describeNetworkReport(report);
  if (!note) return { ...result, meta };
  const output = result.output ? `${result.output.replace(/\n?$/, "\n")}${note}` : note;
  if (result.ok) return { ...result, output, meta };
  return { ...result, output, error: `${result.error}\n${note}`, meta };
}

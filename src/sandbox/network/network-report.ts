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

/** Collects proxy events into a bounded `NetworkReport`. */
export function createReportCollector(): { listener: (event: ProxyEvent) => void; report(): NetworkReport } {
  const allowed = new Set<string>();
  const refused: NetworkIncident[] = [];
  const failed: NetworkIncident[] = [];
  let rejected = 0;
  let omitted = 0;
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
    report: () => ({ allowed: [...allowed], refused: [...refused], failed: [...failed], rejected, omitted }),
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

import { describe, expect, test } from "bun:test";
import { createReportCollector, withReport } from "../../../src/sandbox/network/network-report.ts";

function report(events: Parameters<ReturnType<typeof createReportCollector>["listener"]>[0][]) {
  const collector = createReportCollector();
  for (const event of events) collector.listener(event);
  return collector.report();
}

describe("the proxy's report in a tool result", () => {
  const refused = {
    type: "refused",
    method: "CONNECT",
    destination: "evil.test:443",
    reason: "evil.test is not in network_allow (a.test)",
  } as const;

  test("a failed call gets the refusals in its output and its error (which the audit keeps whole)", () => {
    const result = withReport(
      { ok: false, output: "curl: (56) CONNECT tunnel failed", error: "the command exited with code 56" },
      report([refused]),
    );
    const note =
      "[sandbox network proxy]\nrefused CONNECT evil.test:443: evil.test is not in network_allow (a.test)";
    expect(result.output).toBe(`curl: (56) CONNECT tunnel failed\n${note}`);
    expect(result.error).toBe(`the command exited with code 56\n${note}`);
    expect(result.meta?.["network"]).toMatchObject({ refused: [{ destination: "evil.test:443" }] });
  });

  test("a successful call gets them in its output; a call with nothing refused keeps its text", () => {
    expect(withReport({ ok: true, output: "ok\n" }, report([refused])).output).toStartWith(
      "ok\n[sandbox network proxy]\n",
    );
    const quiet = withReport(
      { ok: true, output: "ok\n" },
      report([{ type: "allowed", method: "GET", destination: "a.test:80", address: "192.0.2.1" }]),
    );
    expect(quiet.output).toBe("ok\n");
    expect(quiet.meta?.["network"]).toEqual({
      allowed: ["a.test:80"],
      refused: [],
      failed: [],
      rejected: 0,
      omitted: 0,
    });
  });

  test("the lists are bounded; the rest is counted", () => {
    const many = report(Array.from({ length: 25 }, () => refused));
    expect(many.refused.length).toBe(20);
    expect(many.omitted).toBe(5);
    expect(withReport({ ok: true, output: "" }, many).output).toEndWith("(5 more not listed)");
  });

  test("take() reports what happened since the last take", () => {
    const collector = createReportCollector();
    collector.listener(refused);
    expect(collector.take().refused.length).toBe(1);
    expect(collector.take()).toEqual({ allowed: [], refused: [], failed: [], rejected: 0, omitted: 0 });
  });
});

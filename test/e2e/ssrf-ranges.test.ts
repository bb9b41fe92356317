import { afterEach, describe, expect, test } from "bun:test";
import { type ScriptedAgent, scriptedAgent } from "../support/scripted-agent.ts";

let agent: ScriptedAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

const SPECIAL = [
  "http://192.0.2.1/",
  "http://198.51.100.7/",
  "http://203.0.113.9/",
  "http://198.18.0.1/",
  "http://100.64.0.1/",
  "http://192.0.0.170/",
  "http://240.0.0.1/",
  "http://255.255.255.255/",
  "http://0.0.0.0/",
  "http://[::]/",
  "http://[::1]/",
  "http://[::ffff:192.0.2.1]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[100::1]/",
  "http://[2001::1]/",
  "http://[2001:db8::1]/",
  "http://[fc00::1]/",
  "http://[fe80::1]/",
  "http://[ff02::1]/",
  "http://[2002:7f00:1::1]/",
];

describe("SSRF guard on the compiled binary (issue 11 item 21)", () => {
  test("special-purpose IPv4 and IPv6 ranges are refused before any connection", async () => {
    agent = await scriptedAgent(
      '[tools.web]\nkind = "http"\ntimeout = "2s"',
      ["web"],
      SPECIAL.map((url, i) => ({ id: `c${i}`, name: "web", arguments: { url } })),
    );
    const run = await agent.run({ timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    SPECIAL.forEach((url, i) => {
      const result = run.results.get(`c${i}`);
      expect({ url, ok: result?.ok, refused: String(result?.error).startsWith("refused:") }).toEqual({
        url,
        ok: false,
        refused: true,
      });
    });
  }, 90_000);

  test("allow_private names an address the guard would refuse and lets it through to the socket", async () => {
    agent = await scriptedAgent(
      '[tools.web]\nkind = "http"\ntimeout = "1s"\nallow_private = ["192.0.2.0/24"]',
      ["web"],
      [{ id: "c1", name: "web", arguments: { url: "http://192.0.2.1:9/" } }],
    );
    const run = await agent.run();
    const result = run.results.get("c1");
    expect(result?.ok).toBe(false);
    expect(String(result?.error)).not.toStartWith("refused:");
  }, 30_000);
});

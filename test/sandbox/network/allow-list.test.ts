import { describe, expect, test } from "bun:test";
import { compileAllowList, parseAllowEntry } from "../../../src/sandbox/network/allow-list.ts";
import { canonicalHost } from "../../../src/sandbox/network/host-name.ts";

const host = (text: string) => {
  const parsed = canonicalHost(text);
  if (!parsed) throw new Error(`not a host: ${text}`);
  return parsed;
};
const allows = (entries: string[], target: string, port: number) =>
  compileAllowList(entries).check(host(target), port) === undefined;

describe("network_allow entries", () => {
  test("valid forms parse to canonical rules", () => {
    const rule = (entry: string) => {
      const parsed = parseAllowEntry(entry);
      return parsed.ok ? { ...parsed.rule, entry: undefined } : parsed.error;
    };
    expect(rule("Example.COM.")).toEqual({
      host: "example.com",
      wildcard: false,
      ip: false,
      port: undefined,
      entry: undefined,
    });
    expect(rule("*.example.com:8443")).toEqual({
      host: "example.com",
      wildcard: true,
      ip: false,
      port: 8443,
      entry: undefined,
    });
    expect(rule("[::1]:8080")).toEqual({
      host: "0:0:0:0:0:0:0:1",
      wildcard: false,
      ip: true,
      port: 8080,
      entry: undefined,
    });
    expect(rule("::1")).toEqual({
      host: "0:0:0:0:0:0:0:1",
      wildcard: false,
      ip: true,
      port: undefined,
      entry: undefined,
    });
    expect(rule("bücher.example")).toEqual({
      host: "xn--bcher-kva.example",
      wildcard: false,
      ip: false,
      port: undefined,
      entry: undefined,
    });
    expect(rule("127.1")).toEqual({
      host: "127.0.0.1",
      wildcard: false,
      ip: true,
      port: undefined,
      entry: undefined,
    });
  });

  test.each([
    ["*", "only allowed as a whole first label"],
    ["*.", "not a host"],
    ["a.*.example.com", "only allowed as a whole first label"],
    ["*example.com", "only allowed as a whole first label"],
    ["https://example.com", "not a URL"],
    ["example.com/path", "not a host"],
    ["user@example.com", "not a host"],
    ["example.com:0", "port must be"],
    ["example.com:65536", "port must be"],
    ["example.com:http", "port must be"],
    ["*.10.0.0.1", "wildcard applies to names"],
    ["", "not a host"],
    ["a..b", "not a host"],
  ])("%p is refused (%s)", (entry, why) => {
    const parsed = parseAllowEntry(entry);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(why);
  });
});

describe("matching a destination", () => {
  test("an exact entry matches only that host, in any case, with or without the trailing dot", () => {
    expect(allows(["api.example.com"], "API.Example.com.", 443)).toBe(true);
    expect(allows(["api.example.com"], "example.com", 443)).toBe(false);
    expect(allows(["api.example.com"], "x.api.example.com", 443)).toBe(false);
    expect(allows(["api.example.com"], "api.example.com.evil.net", 443)).toBe(false);
  });

  test("*.example.com matches every subdomain but not example.com itself nor look-alikes", () => {
    const entries = ["*.example.com"];
    expect(allows(entries, "a.example.com", 443)).toBe(true);
    expect(allows(entries, "a.b.example.com", 80)).toBe(true);
    expect(allows(entries, "example.com", 443)).toBe(false);
    expect(allows(entries, "evilexample.com", 443)).toBe(false);
    expect(allows(entries, "example.com.evil.net", 443)).toBe(false);
  });

  test("an entry without a port allows 80 and 443 only; host:port allows only that port", () => {
    expect(allows(["example.com"], "example.com", 80)).toBe(true);
    expect(allows(["example.com"], "example.com", 443)).toBe(true);
    expect(allows(["example.com"], "example.com", 22)).toBe(false);
    expect(allows(["example.com:8443"], "example.com", 8443)).toBe(true);
    expect(allows(["example.com:8443"], "example.com", 443)).toBe(false);
    expect(compileAllowList(["example.com"]).check(host("example.com"), 22)).toContain(
      "port 22 of example.com is not in network_allow",
    );
  });

  test("Unicode entries and punycode requests are one host", () => {
    expect(allows(["bücher.example"], "xn--bcher-kva.example", 443)).toBe(true);
    expect(allows(["*.xn--bcher-kva.example"], "www.bücher.example", 443)).toBe(true);
  });

  test("IP entries match the address however it is spelled; names never match addresses", () => {
    expect(allows(["127.0.0.1:8080"], "2130706433", 8080)).toBe(true);
    expect(allows(["127.0.0.1:8080"], "0x7f.1", 8080)).toBe(true);
    expect(allows(["[::1]:8080"], "[0:0::1]", 8080)).toBe(true);
    expect(allows(["localhost"], "127.0.0.1", 80)).toBe(false);
    expect(allows(["127.0.0.1"], "localhost", 80)).toBe(false);
    expect(allows(["10.0.0.1"], "10.0.0.2", 80)).toBe(false);
  });

  test("a refusal names the host and the list", () => {
    expect(compileAllowList(["a.example", "b.example"]).check(host("c.example"), 443)).toBe(
      "c.example is not in network_allow (a.example, b.example)",
    );
  });

  test("an empty list allows nothing", () => {
    expect(allows([], "example.com", 443)).toBe(false);
  });
});

import { describe, expect, test } from "bun:test";
import { createChunkedScanner } from "../../../src/sandbox/network/chunked-body.ts";
import { parseAbsoluteTarget, parseConnectTarget } from "../../../src/sandbox/network/destination.ts";
import { bodyFraming } from "../../../src/sandbox/network/http-forward.ts";
import { parseRequestHead, type RequestHead } from "../../../src/sandbox/network/request-head.ts";

describe("CONNECT targets", () => {
  test("host:port, [v6]:port and numeric IPv4 forms are accepted and canonical", () => {
    expect(parseConnectTarget("Example.com.:443")).toEqual({
      ok: true,
      value: { host: { kind: "name", host: "example.com" }, port: 443 },
    });
    expect(parseConnectTarget("[::1]:8443")).toEqual({
      ok: true,
      value: { host: { kind: "ip", host: "0:0:0:0:0:0:0:1" }, port: 8443 },
    });
    expect(parseConnectTarget("2130706433:80")).toEqual({
      ok: true,
      value: { host: { kind: "ip", host: "127.0.0.1" }, port: 80 },
    });
  });

  test.each([
    "example.com",
    "http://example.com:443",
    "user@example.com:443",
    "example.com:443/path",
    "example.com:0",
    "example.com:65536",
    "::1:443",
    "example.com:443 ",
    "exa mple.com:443",
  ])("%p is rejected", (target) => {
    expect(parseConnectTarget(target).ok).toBe(false);
  });
});

describe("absolute-form targets", () => {
  test("the destination, Host authority and origin-form path come from the URL", () => {
    expect(parseAbsoluteTarget("http://Example.com:8080/a/b?c=d")).toEqual({
      ok: true,
      value: {
        host: { kind: "name", host: "example.com" },
        port: 8080,
        authority: "example.com:8080",
        path: "/a/b?c=d",
      },
    });
    const plain = parseAbsoluteTarget("http://example.com");
    expect(plain.ok && plain.value).toMatchObject({ port: 80, authority: "example.com", path: "/" });
  });

  test("https, origin form, user info and other schemes are rejected", () => {
    for (const target of [
      "https://example.com/",
      "/index.html",
      "http://u:p@example.com/",
      "ftp://example.com/",
    ]) {
      expect(parseAbsoluteTarget(target).ok).toBe(false);
    }
  });
});

describe("request heads", () => {
  test("a well-formed head keeps header order and repeats, names lower-cased", () => {
    const head = parseRequestHead("GET http://a/ HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2", 10);
    expect(head).toEqual({
      method: "GET",
      target: "http://a/",
      version: "HTTP/1.1",
      headers: [
        ["host", "a"],
        ["x-a", "1"],
        ["x-a", "2"],
      ],
    });
  });

  test.each([
    ["GET http://a/ HTTP/1.1\r\nHost: a\r\n folded", "malformed header field"],
    ["GET http://a/ HTTP/1.1\r\nHost : a", "malformed header field"],
    ["GET http://a/ HTTP/1.1\r\nHost: a\nX: b", "control character"],
    ["GET http://a/ HTTP/1.1\r\nX: a\rb", "control character"],
    ["GET  http://a/ HTTP/1.1", "malformed request line"],
    ["GET http://a/ HTTP/2.0", "malformed request line"],
    ["GET http://a/ HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3", "more than 2 header fields"],
  ])("%p is refused", (text, why) => {
    const head = parseRequestHead(text, 2);
    expect("error" in head && head.error).toContain(why);
    expect("status" in head && head.status).toBe(why.startsWith("more than") ? 431 : 400);
  });
});

describe("body framing (request smuggling shapes)", () => {
  const head = (headers: Array<[string, string]>): RequestHead => ({
    method: "POST",
    target: "http://a/",
    version: "HTTP/1.1",
    headers,
  });
  test("one Content-Length or a lone chunked coding is accepted", () => {
    expect(bodyFraming(head([["content-length", "5"]]))).toEqual({ kind: "length", bytes: 5 });
    expect(bodyFraming(head([["transfer-encoding", "Chunked"]]))).toEqual({ kind: "chunked" });
    expect(bodyFraming(head([]))).toEqual({ kind: "none" });
  });
  test.each([
    [
      [
        ["content-length", "5"],
        ["transfer-encoding", "chunked"],
      ],
      400,
    ],
    [
      [
        ["content-length", "5"],
        ["content-length", "5"],
      ],
      400,
    ],
    [[["content-length", "5, 5"]], 400],
    [[["content-length", "-1"]], 400],
    [[["content-length", "0x10"]], 400],
    [[["transfer-encoding", "gzip, chunked"]], 501],
    [
      [
        ["transfer-encoding", "chunked"],
        ["transfer-encoding", "chunked"],
      ],
      501,
    ],
    [[["transfer-encoding", "xchunked"]], 501],
  ] as Array<[Array<[string, string]>, number]>)("%p is answered %p", (headers, status) => {
    expect(bodyFraming(head(headers))).toMatchObject({ status });
  });
});

describe("chunked body scanner", () => {
  test("finds the end of the body, extensions and trailers included, across split reads", () => {
    const body = "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n";
    const pipelined = "GET http://evil/ HTTP/1.1\r\n\r\n";
    const scanner = createChunkedScanner();
    const bytes = Buffer.from(body + pipelined);
    let used = 0;
    let done = false;
    for (let at = 0; at < bytes.length && !done; at += 3) {
      const step = scanner.feed(bytes.subarray(at, at + 3));
      if ("error" in step) throw new Error(step.error);
      used += step.used;
      done = step.done;
    }
    expect(done).toBe(true);
    expect(used).toBe(Buffer.byteLength(body));
  });

  test.each([
    ["-1\r\n", "malformed chunk size"],
    ["0x4\r\n", "malformed chunk size"],
    [" 4\r\n", "malformed chunk size"],
    ["4\nWiki\r\n", "not ended by CRLF"],
    ["4\r\nWikiXY\r\n", "chunk data longer"],
    ["11111111111111111\r\n", "malformed chunk size"],
    [`${"a".repeat(5000)}`, "line too long"],
    ["0\r\nbad trailer\r\n\r\n", "malformed trailer"],
  ])("%p is refused", (text, why) => {
    const step = createChunkedScanner().feed(Buffer.from(text));
    expect("error" in step && step.error).toContain(why);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpToolConfig } from "../../src/config/schema.ts";
import type { ToolContext } from "../../src/spec/tool.ts";
import { createHttpTool } from "../../src/tools/http/index.ts";

interface TestServer {
  url: string;
  requests: IncomingMessage[];
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = "127.0.0.1",
): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, requests };
}

function ctx(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, runId: "r1", agent: "a", callId: "c1" };
}

function tool(config: Partial<HttpToolConfig> = {}, env: Record<string, string> = {}) {
  return createHttpTool("web", { kind: "http", ...config }, { env });
}

const hello = (_req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("content-type", "text/plain");
  res.end("hello");
};

describe("http tool", () => {
  test("loopback is refused by default and nothing reaches the server", async () => {
    const server = await serve(hello);
    const result = await tool().execute({ url: `${server.url}/` }, ctx());
    expect(result.ok).toBe(false);
    expect(result.error).toContain("127.0.0.1 is a loopback address");
    expect(server.requests).toHaveLength(0);
  });

  test("a name resolving to loopback is refused at connect time", async () => {
    const server = await serve(hello);
    const result = await tool().execute({ url: server.url.replace("127.0.0.1", "localhost") }, ctx());
    expect(result.error).toMatch(/loopback address \(localhost resolves to it\)/);
    expect(server.requests).toHaveLength(0);
  });

  test("allow_private lets a listed address through; output has status, headers and body", async () => {
    const server = await serve(hello);
    const result = await tool({ allow_private: ["127.0.0.1"] }).execute({ url: `${server.url}/x` }, ctx());
    expect(result.ok).toBe(true);
    expect(result.output).toBe("HTTP 200 OK\ncontent-type: text/plain\ncontent-length: 5\n\nhello");
    expect(result.meta).toMatchObject({ status: 200, redirects: 0, truncated: false });
  });

  test.each([
    ["http://169.254.169.254/latest/meta-data/", "cloud metadata"],
    ["http://[fd00:ec2::254]/", "cloud metadata"],
    ["http://metadata.google.internal/computeMetadata/v1/", "cloud metadata endpoint"],
    ["http://[::ffff:127.0.0.1]:1/", "loopback (IPv4 inside IPv4-mapped IPv6) address"],
    ["http://0.0.0.0:1/", "unspecified"],
    ["http://100.64.1.1/", "carrier-grade NAT"],
    ["http://10.1.2.3/", "private"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[fc00::1]/", "unique-local"],
  ])("%s is refused before any connection", async (url, reason) => {
    const result = await tool({ timeout: 60_000 }).execute({ url }, ctx());
    expect(result.ok).toBe(false);
    expect(result.error).toContain(reason);
    expect(result.error).toStartWith("refused:");
  });

  test("a redirect from an allowed server to a private address is refused", async () => {
    const inner = await serve(hello, "127.0.0.2");
    const outer = await serve((_req, res) => {
      res.writeHead(302, { location: `${inner.url}/secret` });
      res.end();
    });
    const result = await tool({ allow_private: ["127.0.0.1"] }).execute({ url: outer.url }, ctx());
    expect(result.error).toContain("127.0.0.2 is a loopback address");
    expect(outer.requests).toHaveLength(1);
    expect(inner.requests).toHaveLength(0);
  });

  test("redirects are followed up to max_redirects", async () => {
    const server = await serve((req, res) => {
      const n = Number(req.url?.slice(1) || 0);
      if (n < 3) {
        res.writeHead(301, { location: `/${n + 1}` });
        res.end();
      } else res.end(`arrived at ${n}`);
    });
    const ok = await tool({ allow_private: ["127.0.0.0/8"] }).execute({ url: `${server.url}/0` }, ctx());
    expect(ok.output).toEndWith("arrived at 3");
    expect(ok.meta?.["redirects"]).toBe(3);
    const tooMany = await tool({ allow_private: ["127.0.0.0/8"], max_redirects: 2 }).execute(
      { url: `${server.url}/0` },
      ctx(),
    );
    expect(tooMany.error).toBe("too many redirects (more than 2)");
  });

  test("allow_hosts refuses other hosts and admits listed ones", async () => {
    const server = await serve(hello);
    const refused = await tool({ allow_hosts: ["api.example.com", "*.example.org"] }).execute(
      { url: server.url },
      ctx(),
    );
    expect(refused.error).toBe(
      "refused: host 127.0.0.1 is not in allow_hosts (api.example.com, *.example.org)",
    );
    const port = new URL(server.url).port;
    const admitted = await tool({ allow_hosts: [`localhost:${port}`], allow_private: ["localhost"] }).execute(
      { url: server.url.replace("127.0.0.1", "localhost") },
      ctx(),
    );
    expect(admitted.ok).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  test("methods outside the configured list are refused; readOnly follows GET/HEAD-only lists", async () => {
    const server = await serve(hello);
    const readOnly = tool({ allow_private: ["127.0.0.1"], methods: ["GET"] });
    expect(readOnly.readOnly).toBe(true);
    expect(tool().readOnly).toBe(false);
    const result = await readOnly.execute({ url: server.url, method: "DELETE" }, ctx());
    expect(result.error).toBe("method DELETE is not allowed; use one of GET");
    expect(server.requests).toHaveLength(0);
  });

  test("the body is capped at max_response with a marker", async () => {
    const server = await serve((_req, res) => res.end("x".repeat(200_000)));
    const result = await tool({ allow_private: ["127.0.0.1"], max_response: 1000 }).execute(
      { url: server.url },
      ctx(),
    );
    expect(result.ok).toBe(true);
    expect(result.meta).toMatchObject({ bytes: 1000, truncated: true });
    expect(result.output).toContain(
      `\n\n${"x".repeat(1000)}\n[... response truncated: only the first 1000 bytes`,
    );
  });

  test("a server that never answers times out", async () => {
    const server = await serve(() => {});
    const result = await tool({ allow_private: ["127.0.0.1"], timeout: 200 }).execute(
      { url: server.url },
      ctx(),
    );
    expect(result.error).toBe("timed out after 200 ms");
  });

  test("ctx.signal abort cancels the request", async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const pending = tool({ allow_private: ["127.0.0.1"] }).execute(
      { url: server.url },
      ctx(controller.signal),
    );
    while (server.requests.length === 0) await Bun.sleep(5);
    controller.abort();
    expect((await pending).error).toBe("cancelled");
  });

  test("configured secret headers are sent but never echoed; cross-origin redirects drop them", async () => {
    const other = await serve(
      (req, res) => res.end(`other saw ${req.headers.authorization ?? "nothing"}`),
      "127.0.0.3",
    );
    const server = await serve((req, res) => {
      if (req.url === "/hop") {
        res.writeHead(307, { location: `${other.url}/` });
        res.end();
        return;
      }
      res.end(`you sent ${req.headers.authorization}`);
    });
    const secrets: string[] = [];
    const web = createHttpTool(
      "web",
      { kind: "http", allow_private: ["127.0.0.0/8"], headers: { Authorization: "Bearer $" + "{TOKEN}" } },
      { env: { TOKEN: "s3cr3t-token-value" }, onSecrets: (values) => secrets.push(...values) },
    );
    const echoed = await web.execute({ url: server.url }, ctx());
    expect(server.requests[0]?.headers.authorization).toBe("Bearer s3cr3t-token-value");
    expect(echoed.output).toEndWith("you sent Bearer [secret]");
    expect(JSON.stringify(echoed)).not.toContain("s3cr3t-token-value");
    expect(secrets).toEqual(["s3cr3t-token-value"]);
    const hopped = await web.execute({ url: `${server.url}/hop` }, ctx());
    expect(hopped.output).toEndWith("other saw nothing");
  });

  test("a 404 is a failure with the body included", async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 404;
      res.end("no such thing");
    });
    const result = await tool({ allow_private: ["127.0.0.1"] }).execute({ url: server.url }, ctx());
    expect(result.ok).toBe(false);
    expect(result.error).toBe("HTTP 404");
    expect(result.output).toStartWith("HTTP 404 Not Found\n");
    expect(result.output).toEndWith("no such thing");
  });

  test("non-http schemes are refused", async () => {
    const result = await tool().execute({ url: "file:///etc/passwd" }, ctx());
    expect(result.error).toBe("refused: only http and https URLs are allowed, got file:");
  });
});

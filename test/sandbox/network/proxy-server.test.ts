import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAllowList } from "../../../src/sandbox/network/allow-list.ts";
import type { ResolveAddresses } from "../../../src/sandbox/network/dial.ts";
import type { ProxyEvent } from "../../../src/sandbox/network/proxy-events.ts";
import {
  type NetworkProxy,
  type ProxyLimits,
  startProxy,
} from "../../../src/sandbox/network/proxy-server.ts";
import { createNetworkPolicy } from "../../../src/tools/http/network-policy.ts";

/** A TCP server on 127.0.0.1 that records what each connection sent and answers HTTP or echoes. */
interface Upstream {
  port: number;
  received: string[];
  close(): Promise<void>;
}

function startUpstream(mode: "http" | "echo"): Promise<Upstream> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = received.push("") - 1;
    socket.on("data", (chunk) => {
      received[index] += chunk.toString("latin1");
      if (mode === "echo") socket.write(chunk);
      else if ((received[index] as string).includes("\r\n\r\n") && !socket.writableEnded) {
        setImmediate(() => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as { port: number }).port,
        received,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Sends raw bytes to the proxy and collects everything until it closes the connection, or (for a
 * tunnel, which the proxy keeps open) until the answer ends with `until`.
 */
function exchange(socketPath: string, request: string | Buffer, until?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socketPath);
    let answer = "";
    client.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (until !== undefined && answer.endsWith(until)) client.end();
    });
    client.on("error", reject);
    client.on("close", () => resolve(answer));
    client.write(request);
  });
}

let dir: string;
let proxy: NetworkProxy | undefined;
let upstream: Upstream | undefined;
let events: ProxyEvent[];

afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = undefined;
  upstream = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function setup(options: {
  allow: string[];
  allowPrivate?: string[];
  mode?: "http" | "echo";
  resolve?: ResolveAddresses;
  limits?: Partial<ProxyLimits>;
}): Promise<{ socket: string; port: number }> {
  dir = mkdtempSync(join(tmpdir(), "agentry-proxy-test-"));
  upstream = await startUpstream(options.mode ?? "http");
  events = [];
  const socket = join(dir, "s");
  const allow = options.allow.map((entry) => entry.replace("PORT", String(upstream?.port)));
  proxy = await startProxy(socket, {
    allow: compileAllowList(allow),
    policy: createNetworkPolicy(undefined, options.allowPrivate ?? [], "network_allow_private"),
    onEvent: (event) => events.push(event),
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return { socket, port: upstream.port };
}

describe("CONNECT", () => {
  test("tunnels to a listed host once the SSRF guard allows its address; bytes sent early pass through", async () => {
    const { socket, port } = await setup({
      allow: ["localhost:PORT"],
      allowPrivate: ["127.0.0.1"],
      mode: "echo",
    });
    const answer = await exchange(
      socket,
      `CONNECT localhost:${port} HTTP/1.1\r\nHost: other.example:443\r\n\r\nhello`,
      "hello",
    );
    expect(answer).toStartWith("HTTP/1.1 200 Connection Established\r\n\r\n");
    expect(answer.endsWith("hello")).toBe(true);
    expect(events).toEqual([
      { type: "allowed", method: "CONNECT", destination: `localhost:${port}`, address: "127.0.0.1" },
    ]);
  });

  test("a host not in network_allow is answered 403 and nothing is dialled", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    const answer = await exchange(socket, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
    expect(answer).toStartWith("HTTP/1.1 403 Forbidden");
    expect(answer).toContain(`refused CONNECT 127.0.0.1:${port}: 127.0.0.1 is not in network_allow`);
    expect(upstream?.received).toEqual([]);
    expect(events).toEqual([
      {
        type: "refused",
        method: "CONNECT",
        destination: `127.0.0.1:${port}`,
        reason: `127.0.0.1 is not in network_allow (localhost:${port})`,
      },
    ]);
  });

  test("a listed port is the only port: another port of the same host is refused", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    const answer = await exchange(socket, `CONNECT localhost:${port + 1} HTTP/1.1\r\n\r\n`);
    expect(answer).toStartWith("HTTP/1.1 403");
    expect(answer).toContain(`port ${port + 1} of localhost is not in network_allow`);
  });

  test("a listed name that resolves to loopback is refused by the SSRF guard without network_allow_private", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"] });
    const answer = await exchange(socket, `CONNECT localhost:${port} HTTP/1.1\r\n\r\n`);
    expect(answer).toStartWith("HTTP/1.1 403");
    expect(answer).toContain(
      "is a loopback address (localhost resolves to it); list it in network_allow_private",
    );
    expect(upstream?.received).toEqual([]);
  });

  test("every resolved address is checked: one private address among public ones refuses the host", async () => {
    const resolve: ResolveAddresses = async () => ["93.184.216.34", "10.1.2.3"];
    const { socket } = await setup({ allow: ["rebind.example"], resolve });
    const answer = await exchange(socket, "CONNECT rebind.example:443 HTTP/1.1\r\n\r\n");
    expect(answer).toStartWith("HTTP/1.1 403");
    expect(answer).toContain("10.1.2.3 is a private address (rebind.example resolves to it)");
  });

  test("the address dialled is the one checked: the name is resolved once, by the proxy", async () => {
    let lookups = 0;
    const resolve: ResolveAddresses = async () => {
      lookups++;
      return ["127.0.0.1"];
    };
    const { socket, port } = await setup({
      allow: ["app.test:PORT"],
      allowPrivate: ["127.0.0.1"],
      resolve,
      mode: "echo",
    });
    const answer = await exchange(socket, `CONNECT app.test:${port} HTTP/1.1\r\n\r\nping`, "ping");
    expect(answer).toEndWith("ping");
    expect(lookups).toBe(1);
    expect(events).toEqual([
      { type: "allowed", method: "CONNECT", destination: `app.test:${port}`, address: "127.0.0.1" },
    ]);
  });

  test("cloud metadata names and addresses are refused even when listed", async () => {
    const { socket } = await setup({ allow: ["metadata.google.internal", "169.254.169.254"] });
    expect(await exchange(socket, "CONNECT metadata.google.internal:80 HTTP/1.1\r\n\r\n")).toContain(
      "cloud metadata endpoint",
    );
    expect(await exchange(socket, "CONNECT 169.254.169.254:80 HTTP/1.1\r\n\r\n")).toContain(
      "cloud metadata address",
    );
  });

  test("an unresolvable host is a 502 failure, reported apart from refusals", async () => {
    const resolve: ResolveAddresses = async () => {
      throw new Error("ENOTFOUND");
    };
    const { socket } = await setup({ allow: ["nowhere.test"], resolve });
    const answer = await exchange(socket, "CONNECT nowhere.test:443 HTTP/1.1\r\n\r\n");
    expect(answer).toStartWith("HTTP/1.1 502");
    expect(events[0]).toMatchObject({ type: "failed", destination: "nowhere.test:443" });
  });

  test("close() cuts an open tunnel", async () => {
    const { socket, port } = await setup({
      allow: ["localhost:PORT"],
      allowPrivate: ["127.0.0.1"],
      mode: "echo",
    });
    const closed = exchange(socket, `CONNECT localhost:${port} HTTP/1.1\r\n\r\nping`, "never");
    await new Promise<void>((resolve) => {
      const check = () => (upstream?.received[0] === "ping" ? resolve() : setImmediate(check));
      check();
    });
    await proxy?.close();
    proxy = undefined;
    expect(await closed).toStartWith("HTTP/1.1 200");
  });
});

describe("plain HTTP", () => {
  test("forwards in origin form with Host taken from the URL and Connection: close", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    const answer = await exchange(
      socket,
      `GET http://localhost:${port}/a?b=c HTTP/1.1\r\nHost: evil.example\r\nProxy-Authorization: x\r\n` +
        "Connection: keep-alive, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\n\r\n",
    );
    expect(answer).toStartWith("HTTP/1.1 200 OK");
    expect(answer).toEndWith("ok");
    expect(upstream?.received).toEqual([
      `GET /a?b=c HTTP/1.1\r\nHost: localhost:${port}\r\nx-keep: 2\r\nConnection: close\r\n\r\n`,
    ]);
  });

  test("a pipelined second request for another host is never forwarded", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    const answer = await exchange(
      socket,
      `POST http://localhost:${port}/ HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc` +
        `GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
    );
    expect(answer).toStartWith("HTTP/1.1 200 OK");
    expect(upstream?.received).toEqual([
      `POST / HTTP/1.1\r\nHost: localhost:${port}\r\ncontent-length: 3\r\nConnection: close\r\n\r\nabc`,
    ]);
    expect(events.map((event) => event.type)).toEqual(["allowed"]);
  });

  test("a chunked body is forwarded to its end and not a byte further", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    const body = "3\r\nabc\r\n0\r\n\r\n";
    await exchange(
      socket,
      `POST http://localhost:${port}/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${body}GET /smuggled HTTP/1.1\r\n\r\n`,
    );
    expect(upstream?.received[0]).toEndWith(`Connection: close\r\n\r\n${body}`);
  });

  test.each([
    ["Content-Length: 3\r\nTransfer-Encoding: chunked", 400],
    ["Content-Length: 3\r\nContent-Length: 4", 400],
    ["Transfer-Encoding: gzip, chunked", 501],
  ])("smuggling shape %p is answered %p before any connection", async (headers, status) => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    const answer = await exchange(socket, `POST http://localhost:${port}/ HTTP/1.1\r\n${headers}\r\n\r\nabc`);
    expect(answer).toStartWith(`HTTP/1.1 ${status}`);
    expect(upstream?.received).toEqual([]);
  });

  test("https URLs, origin-form targets and unlisted hosts are not forwarded", async () => {
    const { socket, port } = await setup({ allow: ["localhost:PORT"], allowPrivate: ["127.0.0.1"] });
    expect(await exchange(socket, `GET https://localhost:${port}/ HTTP/1.1\r\n\r\n`)).toStartWith(
      "HTTP/1.1 400",
    );
    expect(await exchange(socket, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")).toStartWith("HTTP/1.1 400");
    expect(await exchange(socket, `GET http://127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`)).toStartWith(
      "HTTP/1.1 403",
    );
    expect(upstream?.received).toEqual([]);
  });
});

describe("hostile clients", () => {
  test("a request head over the size limit is answered 431", async () => {
    const { socket } = await setup({ allow: ["localhost"], limits: { maxHeadBytes: 1024 } });
    const answer = await exchange(socket, `GET http://localhost/ HTTP/1.1\r\nX: ${"a".repeat(4096)}\r\n\r\n`);
    expect(answer).toStartWith("HTTP/1.1 431");
  });

  test("too many header fields are answered 431", async () => {
    const { socket } = await setup({ allow: ["localhost"], limits: { maxHeaders: 3 } });
    const headers = Array.from({ length: 5 }, (_, i) => `X-${i}: ${i}\r\n`).join("");
    expect(await exchange(socket, `GET http://localhost/ HTTP/1.1\r\n${headers}\r\n`)).toStartWith(
      "HTTP/1.1 431",
    );
  });

  test("a head that trickles in (slowloris) is cut at the head deadline with 408", async () => {
    const { socket } = await setup({ allow: ["localhost"], limits: { headTimeoutMs: 200 } });
    const answer = await new Promise<string>((resolve) => {
      const client = connect(socket);
      let text = "";
      client.on("data", (chunk) => {
        text += chunk.toString();
      });
      client.on("close", () => resolve(text));
      client.write("GET http://localhost/ HTTP/1.1\r\n");
      const drip = setInterval(() => client.writable && client.write("X: y\r\n"), 20);
      client.on("close", () => clearInterval(drip));
    });
    expect(answer).toStartWith("HTTP/1.1 408");
  });
});

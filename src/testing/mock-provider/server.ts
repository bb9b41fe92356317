import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicDialect } from "./anthropic-dialect.ts";
import { prepareTurn } from "./chunking.ts";
import type { WireDialect } from "./dialect.ts";
import { geminiDialect } from "./gemini-dialect.ts";
import { openAiDialect } from "./openai-dialect.ts";
import type { MockFault, MockProvider, MockProviderOptions, MockRequest, MockTurn } from "./types.ts";

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;

interface Route {
  dialect: WireDialect;
  model: string;
  stream: boolean;
}

function route(path: string, body: unknown): Route | undefined {
  const field = (key: string): unknown =>
    body && typeof body === "object" ? (body as Record<string, unknown>)[key] : undefined;
  const model = typeof field("model") === "string" ? (field("model") as string) : "";
  if (path === "/v1/chat/completions" || path === "/chat/completions") {
    return { dialect: openAiDialect, model, stream: field("stream") === true };
  }
  if (path === "/v1/messages") return { dialect: anthropicDialect, model, stream: field("stream") === true };
  const gemini = GEMINI_PATH.exec(path);
  if (gemini) {
    return {
      dialect: geminiDialect,
      model: decodeURIComponent(gemini[1] as string),
      stream: gemini[2] === "streamGenerateContent",
    };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(text);
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts a mock LLM provider on 127.0.0.1 (random port) speaking OpenAI Chat Completions,
 * Anthropic Messages and Gemini `streamGenerateContent` at their real paths, with the real
 * stream shapes (see each provider's `__fixtures__`). It answers from scripted turns, records
 * every request, and injects faults per request index. Part of agentry's test kit: point a
 * provider's `base_url` at `mock.baseUrls.<kind>` and test agents offline.
 */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const requests: MockRequest[] = [];
  let turnsServed = 0;

  const faultFor = (request: MockRequest): MockFault | undefined =>
    typeof options.faults === "function" ? options.faults(request) : options.faults?.[request.index];
  const turnFor = (request: MockRequest): MockTurn | undefined =>
    typeof options.turns === "function" ? options.turns(request, turnsServed) : options.turns?.[turnsServed];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // keep the raw text: recorded as received
    }
    const found = req.method === "POST" ? route(url.pathname, body) : undefined;
    if (!found) {
      sendJson(res, 404, { error: { message: `mock provider: no route for ${req.method} ${url.pathname}` } });
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
    );
    const request: MockRequest = {
      index: requests.length,
      protocol: found.dialect.protocol,
      method: req.method ?? "POST",
      path: url.pathname + url.search,
      headers,
      body,
      model: found.model,
    };
    requests.push(request);
    const fault = faultFor(request);
    const latency = fault?.latencyMs ?? options.latencyMs;
    if (latency) await sleep(latency);
    const { dialect } = found;
    if (options.apiKey !== undefined) {
      const rejection = dialect.checkAuth(headers, url, options.apiKey);
      if (rejection) return sendJson(res, rejection.status, rejection.body);
    }
    if (fault?.status !== undefined) {
      const body = fault.body ?? dialect.errorBody(fault.status, `mock fault: HTTP ${fault.status}`);
      return sendJson(res, fault.status, body, fault.headers);
    }
    if (fault?.stallMs !== undefined) {
      res.writeHead(200, SSE_HEADERS);
      res.flushHeaders();
      const timer = setTimeout(() => res.destroy(), fault.stallMs);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    if (fault?.malformed) {
      res.writeHead(200, SSE_HEADERS);
      res.end(dialect.malformedFrame);
      return;
    }
    const turn = turnFor(request);
    if (!turn) {
      return sendJson(
        res,
        400,
        dialect.errorBody(400, `mock provider: no scripted turn left for request ${request.index}`),
      );
    }
    if (!fault?.truncate) turnsServed++;
    const prepared = prepareTurn(
      turn,
      options,
      raw.length,
      request.index,
      dialect.protocol === "anthropic" ? "toolu_mock" : "call_mock",
    );
    if (!found.stream) return sendJson(res, 200, dialect.whole(prepared, found.model, request.index));
    const includeUsage =
      dialect.protocol !== "openai" ||
      (typeof body === "object" &&
        body !== null &&
        JSON.stringify((body as Record<string, unknown>).stream_options ?? {}).includes(
          '"include_usage":true',
        ));
    const frames = dialect.frames(prepared, found.model, { includeUsage, seed: request.index });
    res.writeHead(200, SSE_HEADERS);
    if (fault?.truncate) {
      const all = Buffer.from(frames.join(""), "utf8");
      res.write(all.subarray(0, Math.floor(all.length / 2)));
      setTimeout(() => res.destroy(), 5);
      return;
    }
    if (fault?.frameGapMs !== undefined) {
      for (const frame of frames) {
        await sleep(fault.frameGapMs);
        if (res.destroyed) return;
        res.write(frame);
      }
      res.end();
      return;
    }
    for (const frame of frames) res.write(frame);
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { message: `mock provider crashed: ${String(err)}` } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrls: { openai: `${url}/v1`, anthropic: url, gemini: url },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

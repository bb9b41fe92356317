/** Largest request body accepted by default (1 MiB); larger ones get 413. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Headers on every response: nothing is cached, sniffed, framed or given a referrer. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** A JSON response with the base headers (and CORS headers for an allowed foreign origin). */
export function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { ...BASE_HEADERS, "Content-Type": "application/json; charset=utf-8", ...extra },
  });
}

/** An error response: `{error: {code, message}}`. */
export function failure(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): Response {
  return json(status, { error: { code, message } }, extra);
}

/**
 * The origins a browser may call from: the server's own URLs (for a loopback bind, also the
 * other loopback spellings of the same port) and any `--allow-origin`. Exact string match; no
 * wildcard, no `null`.
 */
export function allowedOrigins(
  url: string,
  port: number,
  loopback: boolean,
  extra: readonly string[],
): Set<string> {
  const origins = new Set([new URL(url).origin, ...extra.map((origin) => new URL(origin).origin)]);
  if (loopback) {
    const scheme = new URL(url).protocol;
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) origins.add(`${scheme}//${host}:${port}`);
  }
  return origins;
}

/**
 * Refuses a request a foreign page made: an `Origin` outside the allowed set (403), or a
 * `Sec-Fetch-Site: cross-site` request. Requests without `Origin` (programs, same-origin
 * navigations) pass: they still need the bearer token, which no foreign page can attach.
 */
export function foreignOrigin(request: Request, origins: ReadonlySet<string>): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null && !origins.has(origin)) return true;
  return request.headers.get("sec-fetch-site") === "cross-site" && origin === null;
}

/** The CORS headers for an allowed cross-origin caller (an `--allow-origin`), else none. */
export function corsHeaders(request: Request, selfOrigins: ReadonlySet<string>): Record<string, string> {
  const origin = request.headers.get("origin");
  if (origin === null || selfOrigins.has(origin)) return {};
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Last-Event-ID",
    "Access-Control-Allow-Methods": "GET, POST, DELETE",
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}

/** A parsed JSON body, or the response refusing it (415 not JSON, 413 too large, 400 malformed). */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return {
      ok: false,
      response: failure(415, "unsupported_media_type", "send Content-Type: application/json"),
    };
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return { ok: false, response: tooLarge(maxBytes) };
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > maxBytes) return { ok: false, response: tooLarge(maxBytes) };
      chunks.push(chunk);
    }
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { ok: false, response: failure(400, "bad_json", "the body is not valid JSON") };
  }
}

function tooLarge(maxBytes: number): Response {
  return failure(413, "body_too_large", `request bodies are limited to ${maxBytes} bytes`);
}

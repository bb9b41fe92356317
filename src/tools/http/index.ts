import { z } from "zod";
import { interpolate } from "../../config/interpolate.ts";
import type { HttpToolConfig } from "../../config/schema.ts";
import type { Tool, ToolResult } from "../../spec/tool.ts";
import { matchSpellings } from "../argument-spellings.ts";
import { scrubSecrets, toolError, toolRefusal } from "../tool-result.ts";
import description from "./description.txt" with { type: "text" };
import { type HopResponse, RefusedConnection, sendHop } from "./guarded-request.ts";
import { HTTP_METHODS, writingMethods } from "./methods.ts";
import { createNetworkPolicy } from "./network-policy.ts";

/** Arguments the model passes to an http tool. */
export const httpParameters = z.object({
  url: z.string().describe("Absolute http:// or https:// URL"),
  method: z.enum(HTTP_METHODS).optional().describe("HTTP method, default GET"),
  headers: z.record(z.string(), z.string()).optional().describe("Request headers"),
  body: z.string().optional().describe("Request body as text"),
});

/** Parsed http tool arguments. */
export type HttpArgs = z.infer<typeof httpParameters>;

/** Construction options: the environment `${VAR}` in configured headers is resolved from. */
export interface HttpToolOptions {
  env?: Record<string, string | undefined>;
  onSecrets?(values: string[]): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const SHOWN_HEADERS = ["content-type", "content-length", "location"];
/**
 * Headers of the model's that are dropped: framing headers, the method-override headers some
 * servers honour, which would make a GET that `methods`, readonly mode and approval patterns judged
 * into the DELETE the server runs, and the path-override headers some servers and frameworks
 * route by (`X-Original-URL`), which would send a call judged as `/public` to `/admin`.
 */
const MODEL_HEADERS_DROPPED = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
  "x-original-url",
  "x-rewrite-url",
]);
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

function resolveHeaders(name: string, config: HttpToolConfig, options: HttpToolOptions) {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, raw] of Object.entries(config.headers ?? {})) {
    const resolved = interpolate(raw, `tools.${name}.headers.${key}`, options.env ?? process.env);
    headers[key.toLowerCase()] = resolved.value;
    secrets.push(...resolved.secrets);
  }
  if (secrets.length > 0) options.onSecrets?.(secrets);
  return { headers, secrets };
}

function render(response: HopResponse, maxResponse: number): string {
  const lines = [`HTTP ${response.status} ${response.statusText}`.trimEnd()];
  for (const header of SHOWN_HEADERS) {
    const value = response.headers[header];
    if (value !== undefined) lines.push(`${header}: ${Array.isArray(value) ? value.join(", ") : value}`);
  }
  const marker = response.truncated
    ? `\n[... response truncated: only the first ${maxResponse} bytes (max_response) are shown ...]`
    : "";
  return `${lines.join("\n")}\n\n${response.body.toString("utf8")}${marker}`;
}

/**
 * The spellings approval patterns judge an http call's URL by: `METHOD url` as the request will go
 * (WHATWG-normalised: lower-case scheme and host, percent-decoded host, no default port, dot
 * segments resolved, no trailing dot on the host), without the user info (sent as credentials,
 * not where the request goes: `https://api.github.com@evil.example/` goes to `evil.example`) and
 * without the fragment (never sent). A deny pattern (`any`) also judges the URL with
 * percent-encoded unreserved characters decoded (`/%61dmin` is `/admin` to most servers); an
 * except pattern (`every`) exempts a URL only when that decoding changes nothing, since a server
 * may or may not decode. Undefined for a URL the tool refuses.
 */
function patternUrl(method: string, url: string, mode: "any" | "every"): string[] | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    parsed.hostname = parsed.hostname.replace(/\.$/, "");
    parsed.username = "";
    parsed.password = "";
    parsed.hash = "";
    const form = `${method} ${parsed.href}`;
    const decoded = form.replace(PERCENT_ESCAPE, decodeUnreserved);
    if (decoded === form) return [form];
    return mode === "any" ? [form, decoded] : [];
  } catch {
    return undefined;
  }
}

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/g;
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/** `%XX` as its character when that is unreserved (RFC 3986 §2.3: equivalent either way), else as it was. */
function decodeUnreserved(encoded: string): string {
  const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
  return UNRESERVED.test(char) ? char : encoded;
}

function describeConfig(config: HttpToolConfig): string {
  const lines: string[] = [];
  if (config.allow_hosts?.length) lines.push(`Allowed hosts: ${config.allow_hosts.join(", ")}`);
  if (config.methods?.length) lines.push(`Allowed methods: ${config.methods.join(", ")}`);
  return lines.join("\n");
}

/**
 * Whether `mode = "readonly"` may run this http tool: as `read_only` says, else when its methods
 * are only GET and HEAD. Per tool, not per call.
 */
export function httpToolReadOnly(config: HttpToolConfig): boolean {
  return config.read_only ?? (config.methods !== undefined && writingMethods(config.methods).length === 0);
}

/**
 * Builds an http tool. Configured headers are resolved now (unset `${VAR}` → ConfigError), sent
 * on every request to the original origin, reported through `onSecrets` and scrubbed from all
 * output. Every hop is checked against `allow_hosts`, the methods and the SSRF guard.
 */
export function createHttpTool(
  name: string,
  config: HttpToolConfig,
  options: HttpToolOptions = {},
): Tool<HttpArgs> {
  const { headers: configured, secrets } = resolveHeaders(name, config, options);
  const policy = createNetworkPolicy(config.allow_hosts, config.allow_private);
  const methods = new Set<string>(config.methods ?? HTTP_METHODS);
  const timeoutMs = config.timeout ?? DEFAULT_TIMEOUT_MS;
  const maxResponse = config.max_response ?? DEFAULT_MAX_RESPONSE;
  const maxRedirects = config.max_redirects ?? DEFAULT_MAX_REDIRECTS;
  const preface = config.description ? `${config.description}\n\n` : "";
  const scrub = (text: string) => scrubSecrets(text, secrets);

  return {
    name,
    description: `${preface}${description.trim()}\n\n${describeConfig(config)}`.trimEnd(),
    parameters: config.methods
      ? httpParameters.extend({
          method: z
            .enum(config.methods as [HttpArgs["method"] & string, ...(HttpArgs["method"] & string)[]])
            .optional()
            .describe(`HTTP method, default GET`),
        })
      : httpParameters,
    readOnly: httpToolReadOnly(config),
    matchArguments(args, globs, mode) {
      if (typeof args["url"] !== "string") return { kind: "no_match" };
      const method = typeof args["method"] === "string" ? args["method"].toUpperCase() : "GET";
      return matchSpellings(globs, `${method} ${args["url"]}`, patternUrl(method, args["url"], mode), mode);
    },
    async execute(args, ctx): Promise<ToolResult> {
      let method: string = args.method ?? "GET";
      if (!methods.has(method))
        return toolRefusal(`method ${method} is not allowed; use one of ${[...methods].join(", ")}`);
      let url: URL;
      try {
        url = new URL(args.url);
      } catch {
        return toolError(`invalid URL ${JSON.stringify(args.url)}: give an absolute http:// or https:// URL`);
      }
      const origin = url.origin;
      const modelHeaders: Record<string, string> = {};
      for (const [key, value] of Object.entries(args.headers ?? {})) {
        if (!MODEL_HEADERS_DROPPED.has(key.toLowerCase())) modelHeaders[key.toLowerCase()] = value;
      }
      let body = args.body;
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      for (let redirects = 0; ; redirects++) {
        if (url.protocol !== "http:" && url.protocol !== "https:") {
          return toolRefusal(`refused: only http and https URLs are allowed, got ${url.protocol}`);
        }
        const sameOrigin = url.origin === origin;
        const headers: Record<string, string> = {};
        for (const [key, value] of Object.entries(modelHeaders)) {
          if (sameOrigin || !CREDENTIAL_HEADERS.has(key)) headers[key] = value;
        }
        if (sameOrigin) Object.assign(headers, configured);
        let response: HopResponse;
        try {
          response = await sendHop({
            url,
            method,
            headers,
            ...(body !== undefined ? { body } : {}),
            maxResponse,
            signal,
            policy,
          });
        } catch (err) {
          const meta = { url: url.href, redirects, duration_ms: Math.round(performance.now() - started) };
          if (err instanceof RefusedConnection) return toolRefusal(err.message, meta);
          if (timeout.aborted) return toolError(`timed out after ${timeoutMs} ms`, meta);
          if (ctx.signal.aborted) return toolError("cancelled", meta);
          return toolError(
            scrub(`request to ${url.host} failed: ${err instanceof Error ? err.message : String(err)}`),
            meta,
          );
        }
        const location = response.headers.location;
        if (response.status >= 300 && response.status < 400 && response.status !== 304 && location) {
          if (redirects >= maxRedirects)
            return toolError(`too many redirects (more than ${maxRedirects})`, { url: url.href });
          url = new URL(location, url);
          if (
            response.status === 303 ||
            ((response.status === 301 || response.status === 302) && method === "POST")
          ) {
            method = method === "HEAD" ? "HEAD" : "GET";
            body = undefined;
            delete modelHeaders["content-type"];
          }
          continue;
        }
        const meta = {
          status: response.status,
          url: url.href,
          redirects,
          bytes: response.body.length,
          truncated: response.truncated,
          duration_ms: Math.round(performance.now() - started),
        };
        const output = scrub(render(response, maxResponse));
        if (response.status >= 400) return toolError(`HTTP ${response.status}`, meta, output);
        return { ok: true, output, meta };
      }
    },
  };
}

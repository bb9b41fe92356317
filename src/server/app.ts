import type { LoadedConfig } from "../config/loader.ts";
import { newRunId } from "../runtime/run-id.ts";
import { BASE_HEADERS, corsHeaders, failure, foreignOrigin, json, readJsonBody } from "./http-guard.ts";
import { type InterruptBook, toInterrupt } from "./interrupt-book.ts";
import type { ApprovalPage } from "./page/approval-page.ts";
import type { Refusal } from "./refusal.ts";
import { parseRunInput } from "./run-input.ts";
import { lastSeqOf } from "./run-log.ts";
import type { ServerRun } from "./server-run.ts";
import type { ServerRuns } from "./server-runs.ts";
import type { InterruptRecord } from "./server-state.ts";
import { type Role, roleOf } from "./server-token.ts";
import { runEventStream, snapshotStream } from "./sse.ts";

/** What the request handler needs. */
export interface AppOptions {
  loaded: LoadedConfig;
  runs: ServerRuns;
  interrupts: InterruptBook;
  page: ApprovalPage;
  tokens: { operator: string; approver?: string | undefined };
  /** The server's own origins (exact), used for the Origin check. */
  selfOrigins: ReadonlySet<string>;
  /** `--allow-origin` values: foreign origins allowed to call, with CORS headers. */
  allowedOrigins: ReadonlySet<string>;
  maxBodyBytes: number;
}

type Handler = (request: Request, role: Role, params: string[]) => Response | Promise<Response>;

interface Route {
  method: string;
  pattern: RegExp;
  /** Roles allowed; the approver token may read and decide, never start or cancel runs. */
  roles: readonly Role[];
  handler: Handler;
}

const BOTH: readonly Role[] = ["operator", "approver"];
const OPERATOR: readonly Role[] = ["operator"];
const NAME = "([A-Za-z0-9._-]{1,128})";

/**
 * The HTTP API of `agentry serve`. Order of checks on every request: Origin (403 for a foreign
 * page), then the bearer token (401), then the role (403), then the route. Only `GET /healthz`
 * (no details) and the page at `/` (static, no data) answer without a token.
 */
export function createApp(options: AppOptions): (request: Request) => Promise<Response> {
  const { runs, interrupts } = options;
  const origins = new Set([...options.selfOrigins, ...options.allowedOrigins]);
  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/v1\/agents$/,
      roles: BOTH,
      handler: () => json(200, { agents: agentList(options.loaded) }),
    },
    { method: "POST", pattern: new RegExp(`^/v1/agents/${NAME}/runs$`), roles: OPERATOR, handler: startRun },
    {
      method: "GET",
      pattern: new RegExp(`^/v1/runs/${NAME}$`),
      roles: BOTH,
      handler: (_r, _role, [id]) => runSummary(id as string),
    },
    {
      method: "DELETE",
      pattern: new RegExp(`^/v1/runs/${NAME}$`),
      roles: OPERATOR,
      handler: (_r, _role, [id]) => cancelRun(id as string),
    },
    { method: "GET", pattern: new RegExp(`^/v1/runs/${NAME}/events$`), roles: BOTH, handler: followRun },
    {
      method: "GET",
      pattern: /^\/v1\/interrupts$/,
      roles: BOTH,
      handler: () => json(200, { interrupts: pendingList() }),
    },
    {
      method: "GET",
      pattern: /^\/v1\/interrupts\/events$/,
      roles: BOTH,
      handler: () =>
        snapshotStream(
          () => ({ interrupts: pendingList() }),
          (f) => interrupts.watch(f),
          BASE_HEADERS,
        ),
    },
    { method: "POST", pattern: new RegExp(`^/v1/interrupts/${NAME}$`), roles: BOTH, handler: decide },
  ];

  async function startRun(request: Request, _role: Role, [agent]: string[]): Promise<Response> {
    const name = agent as string;
    if (!Object.hasOwn(options.loaded.config.agents ?? {}, name))
      return failure(404, "unknown_agent", `no agent "${name}"`);
    const body = await readJsonBody(request, options.maxBodyBytes);
    if (!body.ok) return body.response;
    const parsed = parseRunInput(body.value, () => newRunId());
    if (!parsed.ok) return failure(400, "bad_input", parsed.message);
    const started = runs.start(name, parsed.input);
    if (!started.ok) return refused(started);
    return runEventStream(started.run.log, 0, {
      ...BASE_HEADERS,
      Location: `/v1/runs/${started.run.id}`,
      "X-Agentry-Run-Id": started.run.id,
    });
  }

  function runSummary(id: string): Response {
    const run = runs.get(id);
    return run ? json(200, describeRun(run)) : failure(404, "unknown_run", `no run "${id}"`);
  }

  function cancelRun(id: string): Response {
    const cancelled = runs.cancel(id);
    return cancelled.ok ? json(202, { runId: id, status: "cancelling" }) : refused(cancelled);
  }

  function followRun(request: Request, _role: Role, [id]: string[]): Response {
    const run = runs.get(id as string);
    if (!run) return failure(404, "unknown_run", `no run "${id}"`);
    const after = lastSeqOf(request.headers.get("last-event-id"), run.id);
    if (after === undefined)
      return failure(400, "bad_last_event_id", `Last-Event-ID must be "${run.id}:<seq>"`);
    return runEventStream(run.log, after, BASE_HEADERS);
  }

  async function decide(request: Request, role: Role, [id]: string[]): Promise<Response> {
    const body = await readJsonBody(request, options.maxBodyBytes);
    if (!body.ok) return body.response;
    const { decision, reason } = (body.value ?? {}) as { decision?: unknown; reason?: unknown };
    if (decision !== "approve" && decision !== "deny")
      return failure(400, "bad_decision", 'send {"decision": "approve" | "deny", "reason"?: string}');
    if (reason !== undefined && (typeof reason !== "string" || reason.length > 1000))
      return failure(400, "bad_decision", "reason must be a string of at most 1000 characters");
    const decided = runs.decide(id as string, {
      decision,
      by: `server:${role}`,
      ...(reason ? { reason } : {}),
    });
    if (!decided.ok) return refused(decided);
    return json(200, {
      id,
      decision: decided.decision.decision,
      by: decided.decision.by,
      repeated: decided.repeated,
      ...(decided.continuedAs ? { continuedAs: decided.continuedAs } : {}),
    });
  }

  function pendingList() {
    return interrupts.pending().map((record) => describeInterrupt(record, runs.targetsOf(record)));
  }

  return async (request) => {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/healthz")
      return new Response("ok\n", { headers: BASE_HEADERS });
    if (foreignOrigin(request, origins))
      return failure(403, "forbidden_origin", "requests from this origin are refused");
    const cors = corsHeaders(request, options.selfOrigins);
    if (request.method === "OPTIONS")
      return new Response(null, { status: 204, headers: { ...BASE_HEADERS, ...cors } });
    if (request.method === "GET" && url.pathname === "/") return options.page.response();
    const response = await route(request, url.pathname);
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };

  async function route(request: Request, path: string): Promise<Response> {
    const matching = routes.filter((candidate) => candidate.pattern.test(path));
    if (matching.length === 0) return failure(404, "not_found", "no such endpoint");
    const role = roleOf(request.headers.get("authorization"), options.tokens);
    if (!role) {
      const response = failure(401, "unauthorized", "send Authorization: Bearer <token>");
      response.headers.set("WWW-Authenticate", 'Bearer realm="agentry"');
      return response;
    }
    const found = matching.find((candidate) => candidate.method === request.method);
    if (!found) return failure(405, "method_not_allowed", `${request.method} is not allowed here`);
    if (!found.roles.includes(role)) return failure(403, "forbidden", "this token may not do that");
    const params = (found.pattern.exec(path) ?? []).slice(1);
    return found.handler(request, role, params);
  }
}

/** The error response for a refusal, with `Retry-After` when trying again later may succeed. */
function refused(refusal: Refusal): Response {
  const headers: Record<string, string> =
    refusal.retryAfter === undefined ? {} : { "Retry-After": String(refusal.retryAfter) };
  return failure(refusal.status, refusal.code, refusal.message, headers);
}

function agentList(loaded: LoadedConfig) {
  const defaults = loaded.config.defaults ?? {};
  return Object.entries(loaded.config.agents ?? {}).map(([name, agent]) => ({
    name,
    ...(agent.description ? { description: agent.description } : {}),
    model: agent.model ?? defaults.model ?? null,
    default: name === defaults.agent,
  }));
}

function describeRun(run: ServerRun) {
  return {
    runId: run.id,
    threadId: run.threadId,
    agent: run.agent,
    status: run.status,
    created: run.created,
    ...(run.agentryRunId ? { agentryRunId: run.agentryRunId } : {}),
    ...(run.continuedBy ? { continuedBy: run.continuedBy } : {}),
    ...(run.summary ? { summary: run.summary } : {}),
  };
}

/**
 * An interrupt as the authenticated interrupt list shows it: the AG-UI interrupt, its context and,
 * while this server holds them, the `targets` (real values behind the ip, e-mail and phone
 * placeholders of its arguments). Never used for a run's event stream, which keeps placeholders.
 */
function describeInterrupt(record: InterruptRecord, targets: Readonly<Record<string, string>> | undefined) {
  return {
    ...toInterrupt(record),
    runId: record.runId,
    threadId: record.threadId,
    agent: record.agent,
    tool: record.tool,
    args: record.args,
    ...(targets ? { targets } : {}),
    rule: record.rule,
    createdAt: record.createdAt,
  };
}

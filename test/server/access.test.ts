import { expect, test } from "bun:test";
import { allowedOrigins, foreignOrigin } from "../../src/server/http-guard.ts";
import { checkExposure, parseListen } from "../../src/server/listen-address.ts";
import { clampBudget, parseRunInput } from "../../src/server/run-input.ts";
import { roleOf } from "../../src/server/server-token.ts";

const OPERATOR = "operator-token-0123456789abcdefghijklmnop";
const APPROVER = "approver-token-0123456789abcdefghijklmnop";

test("bearer tokens: exact match only; the approver token is its own role", () => {
  const tokens = { operator: OPERATOR, approver: APPROVER };
  expect(roleOf(`Bearer ${OPERATOR}`, tokens)).toBe("operator");
  expect(roleOf(`Bearer ${APPROVER}`, tokens)).toBe("approver");
  for (const header of [
    null,
    "",
    "Bearer ",
    OPERATOR,
    `Basic ${OPERATOR}`,
    `Bearer ${OPERATOR} `,
    `Bearer ${OPERATOR.slice(0, -1)}`,
    `bearer ${OPERATOR}x`,
  ]) {
    expect(roleOf(header, tokens)).toBeUndefined();
  }
  expect(roleOf(`Bearer ${APPROVER}`, { operator: OPERATOR })).toBeUndefined();
});

test("--listen: loopback spellings, IPv6, and non-loopback binds need TLS or a proxy", () => {
  expect(parseListen("127.0.0.1:7420")).toEqual({ host: "127.0.0.1", port: 7420, loopback: true });
  expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0, loopback: true });
  expect(parseListen("localhost:80").loopback).toBe(true);
  expect(parseListen("0.0.0.0:7420").loopback).toBe(false);
  expect(parseListen("127.evil.example:1").loopback).toBe(false);
  for (const bad of ["7420", "host:", "host:99999", "[nothex]:1", "a:b:1"])
    expect(() => parseListen(bad)).toThrow();
  expect(() => checkExposure(parseListen("0.0.0.0:1"), {})).toThrow("without TLS");
  expect(() => checkExposure(parseListen("0.0.0.0:1"), { behindProxy: true })).not.toThrow();
  expect(() => checkExposure(parseListen("0.0.0.0:1"), { tlsCert: "c" })).toThrow("go together");
  expect(() => checkExposure(parseListen("0.0.0.0:1"), { tlsCert: "c", tlsKey: "k" })).not.toThrow();
});

test("Origin: the server's own origins and --allow-origin pass; anything else, null included, is foreign", () => {
  const origins = allowedOrigins("http://127.0.0.1:7420", 7420, true, ["https://ops.example.com"]);
  const request = (headers: Record<string, string>) =>
    new Request("http://127.0.0.1:7420/v1/agents", { headers });
  expect(foreignOrigin(request({}), origins)).toBe(false);
  expect(foreignOrigin(request({ Origin: "http://localhost:7420" }), origins)).toBe(false);
  expect(foreignOrigin(request({ Origin: "https://ops.example.com" }), origins)).toBe(false);
  expect(foreignOrigin(request({ Origin: "http://127.0.0.1:7421" }), origins)).toBe(true);
  expect(foreignOrigin(request({ Origin: "null" }), origins)).toBe(true);
  expect(foreignOrigin(request({ Origin: "https://ops.example.com.evil.io" }), origins)).toBe(true);
  expect(foreignOrigin(request({ "Sec-Fetch-Site": "cross-site" }), origins)).toBe(true);
});

test("RunAgentInput: the prompt is the last user message; forwardedProps allows vars and budget only", () => {
  const base = { threadId: "t", runId: "r", tools: [], context: [] };
  const ok = parseRunInput(
    {
      ...base,
      messages: [{ id: "1", role: "user", content: [{ type: "text", text: "hi" }] }],
      forwardedProps: { vars: { env: "prod" }, budget: { usd: 1 } },
    },
    () => "gen",
  );
  expect(ok).toMatchObject({ ok: true, input: { prompt: "hi", vars: { env: "prod" }, budget: { usd: 1 } } });
  expect(
    parseRunInput({ threadId: "t", messages: [{ id: "1", role: "user", content: "x" }] }, () => "gen"),
  ).toMatchObject({ ok: true, input: { runId: "gen" } });
  const rejected = [
    { ...base, messages: [{ id: "1", role: "assistant", content: "forged" }] },
    { ...base, messages: [] },
    { ...base, threadId: "../x", messages: [{ id: "1", role: "user", content: "x" }] },
    { ...base, runId: "a/b", messages: [{ id: "1", role: "user", content: "x" }] },
    {
      ...base,
      messages: [{ id: "1", role: "user", content: "x" }],
      forwardedProps: { model: "other/model" },
    },
    { ...base, messages: [{ id: "1", role: "user", content: "x" }], forwardedProps: { budget: { usd: -1 } } },
  ];
  for (const body of rejected) expect(parseRunInput(body, () => "gen").ok).toBe(false);
});

test("a client may not choose a sub-agent run id (<run>.<n>): its run would share that sub-agent's audit chain", () => {
  const body = (runId: string) => ({
    threadId: "t",
    runId,
    messages: [{ id: "1", role: "user", content: "x" }],
  });
  expect(parseRunInput(body("r20261130T100000-abc123.1"), () => "gen")).toEqual({
    ok: false,
    message: "runId: an id ending in .<digits> is reserved for sub-agent runs",
  });
  expect(parseRunInput(body("job.7.12"), () => "gen").ok).toBe(false);
  for (const allowed of ["my-run-1", "v1.2.x", "run.1a", "r20261130T100000-abc123x"])
    expect(parseRunInput(body(allowed), () => "gen")).toMatchObject({ ok: true, input: { runId: allowed } });
});

test("a client may not choose an id of the form agentry generates: it may name a CLI, batch or scheduled run", () => {
  const body = (runId?: string) => ({
    threadId: "t",
    ...(runId === undefined ? {} : { runId }),
    messages: [{ id: "1", role: "user", content: "x" }],
  });
  expect(parseRunInput(body("r20261130T100000-abc123"), () => "gen")).toEqual({
    ok: false,
    message: "runId: an id of the form r<date>T<time>-<hex> is reserved for the runs agentry names itself",
  });
  const generated = "r20261130T100000-9f3a1c";
  expect(parseRunInput(body(), () => generated)).toMatchObject({ ok: true, input: { runId: generated } });
});

test("a client's budget only tightens the configured one", () => {
  expect(clampBudget({ usd: 5, tokens: 10 }, { usd: 1 })).toEqual({ usd: 1, tokens: 10 });
  expect(clampBudget({ usd: 0.5 }, { usd: 1, tokens: 100 })).toEqual({ usd: 0.5, tokens: 100 });
  expect(clampBudget(undefined, { usd: 1 })).toEqual({ usd: 1 });
});

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { MockProviderOptions } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { mockProviderToml, parseNdjson, type Workspace, workspaceFiles } from "../support/workspace.ts";

/** A passphrase: configured (passed through as `MY_PASSPHRASE`), with spaces, like many are. */
const PASSPHRASE = "open sesame zebra 4217";
/** An API key that looks like no known format: only its registration as a secret hides it. */
const KEY = "zq-Vp4rT9mKx2LwQ8sNb";

const e2e = e2eFixture();

/** `[mcp.srv]`: a server that fails to start, writing its key (`set_env` from `MCP_KEY`) to stderr. */
const FAILING_MCP_TOML = `[mcp.srv]
command = "sh"
args = ["-c", "echo \\"auth failed for key $API_KEY\\" >&2; exit 1"]
set_env = { API_KEY = "\${MCP_KEY}" }
`;

/** Agent `a` (mode auto) with a shell tool passing the secrets through, against a scripted mock. */
async function setup(options: MockProviderOptions, extraToml = ""): Promise<Workspace> {
  const { turns, ...rest } = options;
  const mock = await e2e.mock(turns, rest);
  return e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai, { apiKeyVar: "MOCK_KEY" })}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH", "MY_PASSPHRASE", "MY_TOKEN"]

[tools.files]
kind = "file"
root = "."

[tools.web]
kind = "http"
allow_hosts = ["example.invalid"]

[audit]
path = "audit.jsonl"

[agents.a]
mode = "auto"
tools = ["sh", "web", "files"]
${extraToml}
`);
}

/** `agentry ARGS` in the test's workspace, with the secrets `setup`'s tools pass through (and `env`). */
function agentry(args: string[], env: Record<string, string> = {}) {
  return e2e.agentry(args, {
    env: { MOCK_KEY: "mock-provider-key-0001", MY_PASSPHRASE: PASSPHRASE, MY_TOKEN: KEY, ...env },
    timeoutMs: 60_000,
  });
}

describe("streamed answers (review 8)", () => {
  test("a passphrase and a card number with spaces, echoed by the model in small chunks, are redacted on stdout and in text_delta events", async () => {
    const answer = `Sure. The passphrase is ${PASSPHRASE} and the card is 4111 1111 1111 1111, as asked.`;
    const workspace = await setup({ turns: () => ({ text: answer }), textChunkSize: 3 });
    const text = await agentry(["run", `repeat: ${PASSPHRASE} and 4111 1111 1111 1111`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("The passphrase is [PII:secret:");
    expect(text.stdout).toContain("the card is [PII:card:");
    const ndjson = await agentry(["run", "--output", "ndjson", "repeat it"]);
    expect(ndjson.code).toBe(0);
    const deltas = parseNdjson(ndjson.stdout).filter((event) => event.type === "text_delta");
    expect(deltas.length).toBeGreaterThan(1);
    const streamed = deltas.map((event) => String(event.text)).join("");
    expect(streamed).toContain("The passphrase is [PII:secret:");
    for (const place of [text.stdout, text.stderr, ndjson.stdout, ndjson.stderr, workspaceFiles(workspace)]) {
      expect(place).not.toContain("sesame zebra");
      expect(place).not.toContain("1111 1111");
    }
    for (const delta of deltas) expect(String(delta.text)).not.toMatch(/sesame|zebra|4217|1111/);
  });
});

describe("what the model chooses besides values (review 8)", () => {
  test("a secret the model puts in an argument's key (an http header name) is redacted in events, audit and run records", async () => {
    const workspace = await setup({
      turns: [
        {
          toolCalls: [
            {
              id: "h1",
              name: "web",
              arguments: { url: "https://example.invalid/", headers: { [KEY]: "1" } },
            },
          ],
        },
        { text: "done" },
      ],
    });
    const result = await agentry(["run", "--output", "ndjson", `call it with header ${KEY}`]);
    expect(result.code).toBe(0);
    const call = parseNdjson(result.stdout).find((event) => event.type === "tool_call");
    expect(JSON.stringify(call?.args)).toMatch(/"headers":\{"\[PII:secret:[0-9a-f]+\]":"1"\}/);
    const audit = readFileSync(join(workspace.dir, "audit.jsonl"), "utf8");
    expect(audit).toContain('"type":"tool_call"');
    for (const place of [result.stdout, result.stderr, workspaceFiles(workspace)])
      expect(place).not.toContain(KEY);
  });

  test("a secret in a tool name the model made up is redacted in the cassette, which still replays", async () => {
    const workspace = await setup({
      turns: [
        { toolCalls: [{ id: "t1", name: `x_${KEY}`, arguments: { command: "echo hi" } }] },
        { text: "done" },
      ],
    });
    const prompt = `use ${KEY}`;
    const recorded = await agentry(["run", "--output", "json", "--record", "run.cassette", prompt]);
    expect(recorded.code).toBe(0);
    const cassette = readFileSync(join(workspace.dir, "run.cassette"), "utf8");
    expect(cassette).toContain("x_[PII:secret:");
    for (const place of [recorded.stdout, recorded.stderr, workspaceFiles(workspace)])
      expect(place).not.toContain(KEY);
    const replayed = await agentry(["run", "--output", "json", "--replay", "run.cassette", prompt]);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ status: "ok", answer: "done" });
  });
});

describe("cut tool output (review 8)", () => {
  test("a large output cut through a configured secret leaves no piece of it (redacted before the cut)", async () => {
    const workspace = await setup(
      {
        turns: [
          { toolCalls: [{ id: "f1", name: "files", arguments: { op: "read", path: "big.txt" } }] },
          { text: "done" },
        ],
      },
      "policy = { enrich = { max_output = 1000 } }",
    );
    workspace.write("big.txt", `${"A".repeat(390)}${KEY}${"B".repeat(3000)}`);
    const result = await agentry(["run", "--output", "ndjson", "read big.txt"]);
    expect(result.code).toBe(0);
    const output = String(parseNdjson(result.stdout).find((event) => event.type === "tool_result")?.output);
    expect(output).toContain("characters omitted");
    const written = [
      result.stdout,
      result.stderr,
      workspaceFiles(workspace).replace(/^.*big\.txt\n.*$/m, ""),
    ];
    for (const place of written) expect(place).not.toContain(KEY.slice(0, 8));
  });
});

describe("encoded forms of a configured secret (review 8)", () => {
  test("a tool printing a passed-through secret in base64 (alone and as basic auth) or percent-encoded shows the model placeholders", async () => {
    const commands = [
      'printf %s "$MY_TOKEN" | base64',
      'printf "admin:%s" "$MY_TOKEN" | base64',
      'printf "%s" "$MY_PASSPHRASE" | sed "s/ /%20/g"',
    ];
    const workspace = await setup({
      turns: [
        { toolCalls: commands.map((command, i) => ({ id: `b${i}`, name: "sh", arguments: { command } })) },
        { text: "done" },
      ],
    });
    const result = await agentry(["run", "--output", "ndjson", "encode them"]);
    expect(result.code).toBe(0);
    const outputs = parseNdjson(result.stdout)
      .filter((event) => event.type === "tool_result")
      .map((event) => String(event.output));
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(output).toContain("[PII:secret:");
    const forms = [
      Buffer.from(KEY).toString("base64").slice(0, 24),
      Buffer.from(`admin:${KEY}`).toString("base64").slice(8, 32),
      "open%20sesame%20zebra",
    ];
    const modelSaw = JSON.stringify(e2e.provider.requests.map((request) => request.body));
    for (const place of [result.stdout, result.stderr, workspaceFiles(workspace), modelSaw])
      for (const form of forms) expect(place).not.toContain(form);
  });
});

describe("a provider base_url built from variables (review 8)", () => {
  /** Agent `a` whose provider's base_url is `${BASE}`. */
  function baseUrlWorkspace(): Workspace {
    return e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

[providers.mock]
kind = "openai-compatible"
base_url = "\${BASE}"
retries = 0

[audit]
path = "audit.jsonl"

[agents.a]
mode = "auto"
`);
  }

  function run(base: string, args: string[]) {
    return e2e.agentry(args, { env: { BASE: base }, timeoutMs: 60_000 });
  }

  test("a malformed one is a configuration error that does not print the key in its query", async () => {
    const workspace = baseUrlWorkspace();
    const text = await run(`http://ex ample.com/v1?key=${KEY}`, ["run", "hi"]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain(
      `providers.mock.base_url: not a URL: "\${BASE}" with its variables filled in`,
    );
    const ndjson = await run(`http://ex ample.com/v1?key=${KEY}`, ["run", "--output", "ndjson", "hi"]);
    expect(ndjson.code).toBe(2);
    for (const place of [text.stdout, text.stderr, ndjson.stdout, ndjson.stderr, workspaceFiles(workspace)])
      expect(place).not.toContain(KEY);
  });

  test("its user info and query values are secrets: a provider error echoing them shows placeholders", async () => {
    const echoed = `invalid request for /v1/chat/completions?key=${KEY} by user app:${PASSPHRASE}`;
    const mock = await e2e.mock(undefined, {
      faults: { 0: { status: 400, body: { error: { message: echoed } } } },
    });
    const workspace = baseUrlWorkspace();
    const host = new URL(mock.baseUrls.openai).host;
    // the fragment swallows the path agentry appends, so the request reaches the mock's route
    const base = `http://app:${encodeURIComponent(PASSPHRASE)}@${host}/v1/chat/completions?key=${KEY}#`;
    const result = await run(base, ["run", "--output", "ndjson", "hi"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("invalid request for");
    for (const place of [result.stdout, result.stderr, workspaceFiles(workspace)]) {
      expect(place).not.toContain(KEY);
      expect(place).not.toContain("sesame zebra");
    }
  });
});

describe("doctor and tools quote a failed MCP server (review 8)", () => {
  test("the server's stderr naming its own key (set_env from a variable) is shown with a placeholder", async () => {
    e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml("http://127.0.0.1:9/v1")}
${FAILING_MCP_TOML}
[agents.a]
tools = ["mcp:srv"]
`);
    for (const args of [["doctor"], ["tools", "a"], ["tools", "--json"]]) {
      const result = await e2e.agentry(args, { env: { MCP_KEY: KEY } });
      expect(result.stdout).toContain("auth failed for key [PII:secret:");
      expect(result.stdout + result.stderr).not.toContain(KEY);
    }
  });
});

describe("what a finished run returns (review 8)", () => {
  test("batch lines carry the answer and error redacted, like run_end: a failed MCP server's stderr with its key, a passphrase the model repeats", async () => {
    const mock = await e2e.mock(() => ({ text: `the passphrase is ${PASSPHRASE}` }));
    const workspace = e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
${FAILING_MCP_TOML}required = true

[tools.sh]
kind = "shell"
env = ["PATH", "MY_PASSPHRASE"]

[agents.a]
mode = "auto"
tools = ["sh"]

[agents.m]
mode = "auto"
tools = ["mcp:srv"]
`);
    const jobs = [
      { id: "j1", agent: "a", prompt: `say ${PASSPHRASE}` },
      { id: "j2", agent: "m", prompt: "x" },
    ];
    const result = await e2e.agentry(["batch", "-"], {
      env: { MY_PASSPHRASE: PASSPHRASE, MCP_KEY: KEY },
      stdin: jobs.map((job) => JSON.stringify(job)).join("\n"),
      timeoutMs: 60_000,
    });
    const lines = parseNdjson(result.stdout);
    expect(lines.find((line) => line.id === "j1")?.answer).toMatch(
      /^the passphrase is \[PII:secret:[0-9a-f]+\]$/,
    );
    const failed = lines.find((line) => line.id === "j2") as { error?: { message: string } } | undefined;
    expect(failed?.error?.message).toContain("auth failed for key [PII:secret:");
    for (const place of [result.stdout, result.stderr, workspaceFiles(workspace)]) {
      expect(place).not.toContain(KEY);
      expect(place).not.toContain("sesame zebra");
    }
  });
});

describe("where an http tool's configured token may go (review 8)", () => {
  test("a header from a variable without allow_hosts is a configuration error; the token never reaches the host the model names", async () => {
    const received: string[] = [];
    const listener = createServer((request, response) => {
      received.push(String(request.headers.authorization ?? ""));
      response.end("ok");
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const attacker = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/collect`;
    try {
      const mock = await e2e.mock([
        { toolCalls: [{ id: "x1", name: "gh", arguments: { url: attacker } }] },
        { text: "done" },
      ]);
      e2e.workspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.gh]
kind = "http"
allow_private = ["127.0.0.1"]
headers = { Authorization = "Bearer \${GH_TOKEN}" }

[agents.a]
mode = "auto"
tools = ["gh"]
`);
      const env = { GH_TOKEN: KEY };
      const run = await e2e.agentry(["run", "fetch it"], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("tools.gh.headers.Authorization");
      expect(run.stderr).toContain('allow_hosts = ["api.example.com"]');
      expect(received).toEqual([]);
      const validate = await e2e.agentry(["validate"], { env });
      expect(validate.code).toBe(2);
      for (const place of [run.stdout, run.stderr, validate.stdout, validate.stderr])
        expect(place).not.toContain(KEY);
    } finally {
      listener.close();
    }
  });
});

describe("a sub-agent's own redaction policy (review 8)", () => {
  test("a helper with pii and a pattern, called by a parent with pii = false, still hides them from the models, events and audit", async () => {
    const email = "alice.private@example.com";
    const mock = await e2e.mock((request) => {
      const messages = (request.body as { messages: { role: string; content?: unknown }[] }).messages;
      const helper = JSON.stringify(messages[0]).includes("HELPER");
      if (messages.at(-1)?.role === "tool") return { text: helper ? "helper done" : "parent done" };
      return helper
        ? { toolCalls: [{ id: "s1", name: "sh", arguments: { command: `echo ${email} ACME-123456` } }] }
        : { toolCalls: [{ id: "p1", name: "agent_helper", arguments: { task: "look" } }] };
    });
    const workspace = e2e.workspace(`
[defaults]
agent = "parent"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
env = ["PATH"]

[audit]
path = "audit.jsonl"

[agents.parent]
instructions = "PARENT"
mode = "auto"
tools = ["agent:helper"]
policy = { redact = { pii = false } }

[agents.helper]
instructions = "HELPER"
mode = "auto"
tools = ["sh"]
policy = { redact = { pii = true, patterns = ["ACME-[0-9]{6}"] } }
`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const output = parseNdjson(result.stdout).find(
      (event) => event.type === "tool_result" && event.id === "s1",
    );
    expect(String(output?.output)).toMatch(/\[PII:email:[0-9a-f]+\] \[PII:pattern:[0-9a-f]+\]/);
    const toolResultsSeen = JSON.stringify(
      mock.requests.flatMap((request) =>
        (request.body as { messages: { role: string }[] }).messages.filter((m) => m.role === "tool"),
      ),
    );
    expect(toolResultsSeen).toContain("[PII:email:");
    for (const place of [result.stdout, result.stderr, workspaceFiles(workspace), toolResultsSeen]) {
      expect(place).not.toContain(email);
      expect(place).not.toContain("ACME-123456");
    }
  });
});

describe("trace export credentials", () => {
  test("OTEL_EXPORTER_OTLP_HEADERS values are secrets: a tool reading agentry's environment, the model repeating them, doctor: placeholders everywhere, while the collector still gets the real headers", async () => {
    const team = "hc-team-key-5f3a9";
    const token = "otlp-token-77c1e";
    const receiver = await startOtlpReceiver();
    e2e.afterThis(() => receiver.close());
    const workspace = await setup({
      turns: [
        {
          toolCalls: [
            {
              id: "env1",
              name: "sh",
              arguments: {
                command: "tr '\\0' '\\n' < /proc/$PPID/environ | grep ^OTEL_EXPORTER_OTLP_HEADERS=",
              },
            },
          ],
        },
        { text: `The collector keys are ${team} and ${token}.` },
      ],
    });
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${team},authorization=Bearer%20${token}`,
    };
    const result = await agentry(["run", "--output", "ndjson", "show the collector settings"], env);
    expect(result.code).toBe(0);
    const output = parseNdjson(result.stdout).find((event) => event.type === "tool_result");
    expect(String(output?.output)).toContain("OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=[PII:secret:");
    expect(receiver.exports[0]?.headers["x-honeycomb-team"]).toBe(team);
    expect(receiver.exports[0]?.headers["authorization"]).toBe(`Bearer ${token}`);
    const doctor = await agentry(["doctor"], env);
    const modelSaw = JSON.stringify(e2e.provider.requests.map((request) => request.body));
    const spans = receiver.exports.map((item) => item.body).join("\n");
    for (const place of [
      result.stdout,
      result.stderr,
      doctor.stdout,
      doctor.stderr,
      workspaceFiles(workspace),
      modelSaw,
      spans,
    ]) {
      expect(place).not.toContain(team);
      expect(place).not.toContain(token);
    }
  });
});

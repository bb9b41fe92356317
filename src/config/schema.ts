import { z } from "zod";
import { globError } from "./glob-syntax.ts";
import { durationValue, sizeValue } from "./units.ts";

/**
 * The configuration schema of SPEC §3, complete. Objects are strict (unknown keys are errors).
 * Durations become milliseconds and sizes bytes; strings that may hold `${VAR}` stay raw and are
 * resolved by `interpolate` only when the provider or tool that uses them is used.
 */

const DURATION_EXPECTED = 'a duration such as "500ms", "30s", "10m" or "1h30m"';
const SIZE_EXPECTED = 'a size such as 65536, "64KiB" or "10MB"';

/** A duration (`"10m"`), output in milliseconds. Exported for the precompiled check (src/config/precompiled). */
export const duration = z
  .unknown()
  .transform((value, ctx) => {
    const ms = durationValue(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: "invalid duration", params: { expected: DURATION_EXPECTED } });
      return z.NEVER;
    }
    return ms;
  })
  .describe(DURATION_EXPECTED);

/** A size (`65536`, `"64KiB"`), output in bytes. Exported for the precompiled check. */
export const size = z
  .unknown()
  .transform((value, ctx) => {
    const bytes = sizeValue(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: "custom", message: "invalid size", params: { expected: SIZE_EXPECTED } });
      return z.NEVER;
    }
    return bytes;
  })
  .describe(SIZE_EXPECTED);

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MODEL_REF = /^[a-zA-Z0-9_-]+\/.+$/;

/** `provider/model`. */
export const modelRef = z
  .string()
  .regex(MODEL_REF, { message: "invalid model reference" })
  .describe('"provider/model", e.g. "openai/gpt-4.1-mini"');
/** One glob pattern (checked by `globError`). Exported for the precompiled check. */
export const globPattern = z
  .string()
  .superRefine((pattern, ctx) => {
    const reason = globError(pattern);
    if (reason !== undefined) ctx.addIssue({ code: "custom", message: `invalid glob: ${reason}` });
  })
  .describe("a valid glob pattern");
/** A list of glob patterns. */
export const globList = z.array(globPattern);
/** A positive integer. */
export const positiveInt = z.number().int().positive().describe("a positive integer");

export const budgetSchema = z.strictObject({
  usd: z.number().positive().describe("a positive number of US dollars").optional(),
  tokens: positiveInt.optional(),
});

export const approvalPolicySchema = z.strictObject({
  /** Tools whose calls ask for approval in `ask` mode; `*` for all. */
  tools: z.array(z.string()).optional(),
  /** `tool:argument-glob` patterns exempt from approval, e.g. `sh:git status*`. */
  except: z.array(z.string()).optional(),
  /** `tool:argument-glob` patterns always denied without asking. */
  deny: z.array(z.string()).optional(),
  timeout: duration.optional(),
});

export const policySchema = z.strictObject({
  approval: approvalPolicySchema.optional(),
  redact: z
    .strictObject({
      pii: z.boolean().optional(),
      patterns: z.array(z.string()).optional(),
    })
    .optional(),
  loop: z
    .strictObject({
      max_repeats: positiveInt.optional(),
      max_text_repeats: positiveInt.optional(),
    })
    .optional(),
  failures: z
    .strictObject({
      max_consecutive: positiveInt.optional(),
      max_total: positiveInt.optional(),
    })
    .optional(),
  rate: z
    .strictObject({
      per_minute: positiveInt.optional(),
      per_tool_per_minute: positiveInt.optional(),
      burst: positiveInt.optional(),
    })
    .optional(),
  breaker: z
    .strictObject({
      failures: positiveInt.optional(),
      cooldown: duration.optional(),
    })
    .optional(),
  enrich: z
    .strictObject({
      max_output: size.optional(),
    })
    .optional(),
  tool_timeout: duration.optional(),
});

export const modeSchema = z.enum(["readonly", "ask", "auto"]);
export const approveSchema = z.enum(["ask", "deny", "defer", "auto"]);

export const defaultsSchema = z.strictObject({
  agent: z.string().optional(),
  model: modelRef.optional(),
  max_turns: positiveInt.optional(),
  timeout: duration.optional(),
  budget: budgetSchema.optional(),
  mode: modeSchema.optional(),
  approve: approveSchema.optional(),
  state_dir: z.string().optional(),
  policy: policySchema.optional(),
});

export const providerKindSchema = z.enum([
  "openai",
  "openai-compatible",
  "ollama",
  "anthropic",
  "gemini",
  "replay",
]);

export const providerSchema = z.strictObject({
  kind: providerKindSchema,
  api_key: z.string().optional(),
  base_url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  retries: z.number().int().min(0).max(10).describe("an integer from 0 to 10").optional(),
  request_timeout: duration.optional(),
  stall_timeout: duration.optional(),
  fallback: z.array(modelRef).optional(),
  max_output_tokens: positiveInt.optional(),
  /** Replay only: the cassette file (JSONL of model turns). */
  cassette: z.string().optional(),
});

/**
 * The sandbox keys of a shell tool and a stdio MCP server (docs/SANDBOX.md). Combinations that
 * would promise a protection that does not apply (keys without a sandbox, `writable` in
 * `read-only`, `network_allow` without `network = "allow"`) are refused by `checkSandbox`.
 */
export const sandboxFields = {
  /** `off` (default), `read-only` (nothing writable), `workspace-write` (cwd and `writable`). */
  sandbox: z.enum(["off", "read-only", "workspace-write"]).optional(),
  /** Paths writable inside a `workspace-write` sandbox besides the working directory. */
  writable: z.array(z.string().min(1)).optional(),
  /** Paths hidden inside the sandbox, added to the built-in list (~/.ssh, ~/.aws, the state dir…). */
  deny_read: z.array(z.string().min(1)).optional(),
  /** `none` (default): no network; `allow`: the host network, or only `network_allow` hosts through a proxy. */
  network: z.enum(["none", "allow"]).optional(),
  /**
   * Hosts reachable with `network = "allow"` (through agentry's proxy): `host`, `*.suffix`, an IP,
   * each with an optional `:port` (without one: 80 and 443); empty or absent: any host. Checked by
   * `checkSandbox` (src/sandbox/network/allow-list.ts).
   */
  network_allow: z.array(z.string()).optional(),
  /**
   * With `network_allow`: private, loopback or link-local hosts/CIDRs the proxy's SSRF guard lets
   * through (the http tool's `allow_private`), e.g. `["localhost"]` for a local test server.
   */
  network_allow_private: z.array(z.string().min(1)).optional(),
};

const toolBase = {
  description: z.string().optional(),
};

/**
 * `read_only`: the operator's word that a shell or http tool only reads, so `mode = "readonly"`
 * runs it. Only these kinds take it: a file tool is read-only exactly when it cannot write
 * (`write`), and an agent or delegate tool runs sub-agents whose tools may write whatever it
 * says, so there the key is refused with the reason (`refused-keys.ts`), never ignored.
 */
const readOnlyClaim = {
  read_only: z.boolean().optional(),
};

export const shellToolSchema = z.strictObject({
  kind: z.literal("shell"),
  ...toolBase,
  ...readOnlyClaim,
  allow: globList.optional(),
  deny: globList.optional(),
  env: z.array(z.string()).optional(),
  /** Extra variables set for the process; values may use `${VAR}` and are treated as secrets. */
  set_env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  timeout: duration.optional(),
  max_output: size.optional(),
  shell: z.boolean().optional(),
  ...sandboxFields,
});

export const httpToolSchema = z.strictObject({
  kind: z.literal("http"),
  ...toolBase,
  ...readOnlyClaim,
  allow_hosts: z.array(z.string()).optional(),
  /** Private, loopback or link-local hosts/CIDRs that may be reached despite the SSRF guard. */
  allow_private: z.array(z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  methods: z.array(z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])).optional(),
  timeout: duration.optional(),
  max_response: size.optional(),
  max_redirects: z.number().int().min(0).max(20).describe("an integer from 0 to 20").optional(),
});

export const fileToolSchema = z.strictObject({
  kind: z.literal("file"),
  ...toolBase,
  root: z.string(),
  write: z.boolean().optional(),
  max_read: size.optional(),
});

export const agentToolSchema = z.strictObject({
  kind: z.literal("agent"),
  ...toolBase,
  agent: z.string(),
});

export const delegateToolSchema = z.strictObject({
  kind: z.literal("delegate"),
  ...toolBase,
  tools: z.array(z.string()).optional(),
  max_turns: positiveInt.optional(),
  timeout: duration.optional(),
});

export const toolSchema = z.discriminatedUnion("kind", [
  shellToolSchema,
  httpToolSchema,
  fileToolSchema,
  agentToolSchema,
  delegateToolSchema,
]);

/** OAuth 2.1 `client_credentials` for an HTTP MCP server (CI, servers); the secret comes from an env var. */
export const mcpOauthSchema = z.strictObject({
  token_url: z.string(),
  client_id: z.string(),
  /** Name of the environment variable holding the client secret (never the secret itself). */
  client_secret_env: z.string(),
  scopes: z.array(z.string()).optional(),
});

/**
 * One `[mcp.<name>]` server (docs/MCP.md): stdio (`command`, `args`, `env`, `set_env`, `cwd`) or
 * streamable HTTP (`url`, `headers`, `bearer_token_env`, `oauth`), never both.
 */
export const mcpServerSchema = z.strictObject({
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  /** Names of variables passed through to the server process; nothing else of agentry's environment is. */
  env: z.array(z.string()).optional(),
  /** Variables set for the server process; values may use `${VAR}` and are treated as secrets. */
  set_env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  ...sandboxFields,
  url: z.string().optional(),
  /** HTTP headers; values may use `${VAR}` and are treated as secrets. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Name of the environment variable holding a bearer token (redacted everywhere). */
  bearer_token_env: z.string().optional(),
  oauth: mcpOauthSchema.optional(),
  enabled: z.boolean().optional(),
  /** A required server that cannot start fails the run (exit 4); an optional one only warns. */
  required: z.boolean().optional(),
  startup_timeout: duration.optional(),
  tool_timeout: duration.optional(),
  max_output: size.optional(),
  enabled_tools: globList.optional(),
  disabled_tools: globList.optional(),
  /** Policy for this server's tools, merged over the calling agent's. */
  policy: policySchema.optional(),
});

export const agentSchema = z.strictObject({
  description: z.string().optional(),
  instructions: z.string().optional(),
  instructions_file: z.string().optional(),
  tools: z.array(z.string()).optional(),
  mode: modeSchema.optional(),
  model: modelRef.optional(),
  max_turns: positiveInt.optional(),
  timeout: duration.optional(),
  budget: budgetSchema.optional(),
  output_schema: z.string().optional(),
  vars: z.record(z.string(), z.string()).optional(),
  policy: policySchema.optional(),
});

/** A flow step: an agent or flow name, or a nested control node. */
export type FlowStep =
  | string
  | { sequence: FlowStep[] }
  | { parallel: FlowStep[] }
  | { fallback: FlowStep[] };

export const flowStepSchema: z.ZodType<FlowStep> = z.lazy(() =>
  z
    .union([
      z.string(),
      z.strictObject({ sequence: z.array(flowStepSchema).min(1) }),
      z.strictObject({ parallel: z.array(flowStepSchema).min(1) }),
      z.strictObject({ fallback: z.array(flowStepSchema).min(1) }),
    ])
    .describe("an agent or flow name, or a table { sequence | parallel | fallback = [steps] }"),
);

export const flowSchema = z.strictObject({
  kind: z.enum(["sequence", "fallback", "parallel"]),
  description: z.string().optional(),
  steps: z.array(flowStepSchema).min(1),
  vote: z.literal("majority").optional(),
  fail_fast: z.boolean().optional(),
});

export const scheduleSchema = z.strictObject({
  cron: z.string(),
  agent: z.string(),
  prompt: z.string(),
  timezone: z.string().optional(),
  /** What to do with runs missed while agentry was not running: skip them, or run once at start. */
  missed: z.enum(["skip", "run_once"]).optional(),
  vars: z.record(z.string(), z.string()).optional(),
});

export const auditSchema = z.strictObject({
  enabled: z.boolean().optional(),
  path: z.string().optional(),
});

/** `[state]`: retention of run records (`agentry runs`); `keep_runs = 0` records nothing. */
export const stateSchema = z.strictObject({
  keep_runs: z.number().int().nonnegative().optional(),
  keep_days: z.number().positive().optional(),
});

/**
 * `[telemetry]`: OpenTelemetry export over OTLP/HTTP (JSON). Without `endpoint`, the standard
 * `OTEL_EXPORTER_OTLP_*` variables decide; `enabled = false` turns export off whatever they say.
 */
export const telemetrySchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** The traces URL, e.g. `http://collector:4318/v1/traces`. */
  endpoint: z.string().url().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  service_name: z.string().min(1).optional(),
  /** Message content in span attributes (redacted); also `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`. */
  capture_content: z.boolean().optional(),
});

export const limitsSchema = z.strictObject({
  max_depth: positiveInt.optional(),
  max_fanout: positiveInt.optional(),
  max_concurrency: positiveInt.optional(),
});

/**
 * `[queue]`: the Redis/Valkey queue of `agentry submit|worker|jobs` (docs/WORKERS.md). `url` may
 * hold a password and is treated as a secret: never printed, redacted from output.
 */
export const queueSchema = z.strictObject({
  url: z.string().optional(),
  /** BullMQ queue name (no `:`); several independent queues may share one Redis. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: "queue names must match ^[A-Za-z0-9_.-]{1,64}$" })
    .optional(),
  /** How long a job stays locked to a worker that stopped renewing the lock (it died). */
  lock_duration: duration.optional(),
  /** How often workers look for jobs whose worker died. */
  stalled_interval: duration.optional(),
  /** How many times a job whose worker died is handed to another worker before it fails. */
  max_stalled: positiveInt.optional(),
  /** Attempts of a job whose run could not start or finish (infrastructure errors). */
  attempts: positiveInt.optional(),
  /** Jobs started per `duration` across every worker of the queue (BullMQ's global limiter). */
  limiter: z.strictObject({ max: positiveInt, duration }).optional(),
  /** How long every worker stops taking jobs after a provider rate limit that gave no Retry-After. */
  rate_limit_pause: duration.optional(),
  /**
   * How many finished jobs (each of completed and failed) BullMQ keeps, and for how long; default
   * all. agentry's own records (results, attempts) are kept whatever this says.
   */
  keep_finished: z.strictObject({ count: positiveInt.optional(), age: duration.optional() }).optional(),
  /**
   * A random secret (≥ 32 characters, typically `"${AGENTRY_QUEUE_SECRET}"`) shared by the workers:
   * a parked run's raw state is sealed under it in Redis. A secret, never shown.
   */
  state_secret: z.string().optional(),
});

export const priceSchema = z.strictObject({
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  cached_input_per_mtok: z.number().nonnegative().optional(),
});

export const configSchema = z.strictObject({
  include: z.array(z.string()).optional(),
  defaults: defaultsSchema.optional(),
  providers: z.record(z.string(), providerSchema).optional(),
  tools: z
    .record(z.string().regex(NAME, { message: "tool names must match ^[a-zA-Z0-9_-]{1,64}$" }), toolSchema)
    .optional(),
  agents: z
    .record(z.string().regex(NAME, { message: "agent names must match ^[a-zA-Z0-9_-]{1,64}$" }), agentSchema)
    .optional(),
  flows: z.record(z.string(), flowSchema).optional(),
  schedules: z.record(z.string(), scheduleSchema).optional(),
  mcp: z
    .record(
      z.string().regex(NAME, { message: "MCP server names must match ^[a-zA-Z0-9_-]{1,64}$" }),
      mcpServerSchema,
    )
    .optional(),
  audit: auditSchema.optional(),
  state: stateSchema.optional(),
  telemetry: telemetrySchema.optional(),
  limits: limitsSchema.optional(),
  queue: queueSchema.optional(),
  /** Price overrides keyed by `provider/model` or bare model name, USD per million tokens. */
  pricing: z.record(z.string(), priceSchema).optional(),
});

/** Top-level keys an included file may hold; everything else belongs to the main file only. */
export const includedFileSchema = configSchema.pick({
  include: true,
  providers: true,
  tools: true,
  agents: true,
  flows: true,
  schedules: true,
});

export type RawConfig = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ToolConfig = z.output<typeof toolSchema>;
export type ShellToolConfig = z.output<typeof shellToolSchema>;
export type HttpToolConfig = z.output<typeof httpToolSchema>;
export type FileToolConfig = z.output<typeof fileToolSchema>;
export type McpServerConfig = z.output<typeof mcpServerSchema>;
/** The sandbox keys shared by shell tools and stdio MCP servers. */
export type SandboxConfig = Pick<ShellToolConfig, keyof typeof sandboxFields>;
export type AgentConfig = z.output<typeof agentSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type FlowConfig = z.output<typeof flowSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type BudgetConfig = z.output<typeof budgetSchema>;
export type Mode = z.output<typeof modeSchema>;
export type ApproveMode = z.output<typeof approveSchema>;

import type { AuditLog } from "../audit/audit-log.ts";
import type { Mode, PolicyConfig } from "../config/schema.ts";
import { UsageError } from "../spec/errors.ts";
import type { Middleware } from "../spec/middleware.ts";
import { approval } from "./approval/index.ts";
import { auditLayer } from "./audit/index.ts";
import { circuitBreaker } from "./circuit-breaker/index.ts";
import type { PipelineClock } from "./clock.ts";
import { composePipeline, type Pipeline } from "./compose.ts";
import { contextEnrichment } from "./context-enrichment/index.ts";
import { exceptionRecovery } from "./exception-recovery/index.ts";
import { failureLimits } from "./failure-limits/index.ts";
import { LAYER_NAMES, type LayerName } from "./layer-names.ts";
import { type LogSink, logger } from "./logger/index.ts";
import { loopDetection } from "./loop-detection/index.ts";
import { POLICY_DEFAULTS } from "./merge-policy.ts";
import { rateLimit } from "./rate-limit/index.ts";
import { redaction } from "./redaction/index.ts";
import { timeout } from "./timeout/index.ts";

/**
 * A library user's own layer, placed right after one of the built-in layers (a `LayerName`;
 * several extras after the same layer keep their order). An unknown name throws `UsageError`.
 */
export interface ExtraLayer {
  after: LayerName | (string & {});
  layer: Middleware;
}

export interface PipelineOptions {
  /** The agent's effective policy: `mergePolicy(defaults.policy, agent.policy)`. */
  policy?: PolicyConfig;
  mode: Mode;
  /** Audit log; without one the audit layer is left out. */
  audit?: AuditLog;
  /** Structured log sink; without one the logger layer is left out. */
  log?: LogSink;
  /** Clock for the timeout, approval timeout, rate limit and breaker; defaults to the context's `now` and real timers. */
  clock?: PipelineClock;
  /** Where capped outputs are saved in full, one folder per run (e.g. `<state>/spill`). */
  spillRoot?: string;
  extraLayers?: readonly ExtraLayer[];
}

/**
 * Builds the governed executor of one agent (SPEC §5): the eleven layers in order around
 * `call.tool.execute(call.args, { signal, runId, agent, callId })`. Built once per agent and
 * runtime (`resolveAgent`) and shared by that agent's runs: per-run values (approver, redactor,
 * decisions of a resumed run) come from the `PipelineContext`; loop, failure and approve-for-run
 * state is kept per run (per context, `RunScoped`), rate-limit and breaker state per pipeline,
 * i.e. per agent. Layers whose input is absent (no audit log, no log sink, no rate configured) are
 * left out, which costs nothing; the timeout layer stays with `tool_timeout = 0` (no deadline) for
 * the grace it gives a cancelled call.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const policy = options.policy ?? {};
  const clock = options.clock;
  const now = clock ? () => clock.now() : undefined;
  const toolTimeout = policy.tool_timeout ?? POLICY_DEFAULTS.toolTimeoutMs;
  const built: Record<LayerName, Middleware | undefined> = {
    "exception-recovery": exceptionRecovery(),
    logger: options.log ? logger({ sink: options.log, ...(now ? { now } : {}) }) : undefined,
    audit: options.audit ? auditLayer({ log: options.audit, ...(now ? { now } : {}) }) : undefined,
    "loop-detection": loopDetection({ maxRepeats: policy.loop?.max_repeats ?? POLICY_DEFAULTS.maxRepeats }),
    "failure-limits": failureLimits({
      maxConsecutive: policy.failures?.max_consecutive ?? POLICY_DEFAULTS.maxConsecutiveFailures,
      maxTotal: policy.failures?.max_total ?? POLICY_DEFAULTS.maxTotalFailures,
    }),
    approval: approval({
      mode: options.mode,
      ...(policy.approval ? { policy: policy.approval } : {}),
      ...(clock ? { clock } : {}),
    }),
    redaction: redaction(),
    "context-enrichment": contextEnrichment({
      ...(policy.enrich?.max_output !== undefined ? { maxOutput: policy.enrich.max_output } : {}),
      ...(options.spillRoot ? { spillRoot: options.spillRoot } : {}),
    }),
    timeout: timeout({ ms: toolTimeout, ...(clock ? { clock } : {}) }),
    "rate-limit":
      policy.rate?.per_minute || policy.rate?.per_tool_per_minute
        ? rateLimit({
            ...(policy.rate.per_minute ? { perMinute: policy.rate.per_minute } : {}),
            ...(policy.rate.per_tool_per_minute ? { perToolPerMinute: policy.rate.per_tool_per_minute } : {}),
            ...(policy.rate.burst ? { burst: policy.rate.burst } : {}),
            ...(now ? { now } : {}),
          })
        : undefined,
    "circuit-breaker": circuitBreaker({
      failures: policy.breaker?.failures ?? POLICY_DEFAULTS.breakerFailures,
      cooldownMs: policy.breaker?.cooldown ?? POLICY_DEFAULTS.breakerCooldownMs,
      ...(now ? { now } : {}),
    }),
  };
  const known = new Set<string>(LAYER_NAMES);
  for (const extra of options.extraLayers ?? []) {
    if (!known.has(extra.after)) {
      throw new UsageError(`extra middleware layer placed after unknown layer "${extra.after}"`, {
        after: extra.after,
        layers: [...LAYER_NAMES],
      });
    }
  }
  const layers: Middleware[] = [];
  const builtIn = new Set<Middleware>();
  for (const name of LAYER_NAMES) {
    const layer = built[name];
    if (layer) {
      layers.push(layer);
      builtIn.add(layer);
    }
    for (const extra of options.extraLayers ?? []) if (extra.after === name) layers.push(extra.layer);
  }
  return composePipeline(
    layers,
    (ctx, call) =>
      call.tool.execute(call.args, {
        signal: call.signal,
        runId: ctx.runId,
        agent: ctx.agent,
        callId: call.id,
      }),
    { trusted: builtIn },
  );
}

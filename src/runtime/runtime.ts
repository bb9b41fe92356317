import { systemClock } from "../clock/system-clock.ts";
import type { LoadedConfig } from "../config/loader.ts";
import { configuredSecretValues } from "../config/secret-values.ts";
import type { LogSink } from "../middleware/logger/index.ts";
import { DEFAULT_KEY_VARIABLE } from "../providers/create-provider.ts";
import { ConnectionPools } from "../providers/http/dispatcher.ts";
import { createPriceBook } from "../providers/pricing.ts";
import { type CassetteWriter, createCassetteWriter } from "../providers/replay/record.ts";
import { sandboxHostForConfig } from "../sandbox/host.ts";
import type { Approver } from "../spec/approval.ts";
import type { Clock } from "../spec/clock.ts";
import { UsageError } from "../spec/errors.ts";
import type { Tool } from "../spec/tool.ts";
import { DeferredRunStore } from "../state/deferred-runs.ts";
import { DEFAULT_RETENTION, RunRecords } from "../state/run-records.ts";
import { resolveStateDir } from "../state/state-dir.ts";
import { telemetrySettings } from "../telemetry/settings.ts";
import { type ApprovalVerdict, type DecideOutcome, decideApproval } from "./decide-approval.ts";
import { executeRun, type RunPlan } from "./execute-run.ts";
import { collectorFor, HeapPacer, PACED_RUNS } from "./heap-pacer.ts";
import { LruMap } from "./lru-map.ts";
import { McpServers } from "./mcp-servers.ts";
import { INLINE_AGENTS_KEPT } from "./resolve-agent.ts";
import { resumeRun } from "./resume-run.ts";
import { openRunAudit } from "./run-audit.ts";
import { isSubAgentRunId, newRunId } from "./run-id.ts";
import type { RunRequest, RunResult } from "./run-request.ts";
import type { ExtraLayer, RuntimeContext } from "./runtime-context.ts";
import { type ToolNamePatterns, toolNameFilter } from "./tool-name-filter.ts";

/** How a host configures a runtime. Everything is optional. */
export interface RuntimeOptions {
  /** Environment for `${VAR}` (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Overrides `$AGENTRY_STATE_DIR` / `[defaults].state_dir`. */
  stateDir?: string;
  /** The interactive approver behind `--approve ask`. Without one, `ask` denies. */
  ask?: Approver;
  /** Tools defined in code; agents list them by name like configured tools. */
  tools?: Tool[];
  /**
   * Globs over tool names that narrow every agent's tools, sub-agents and delegates included
   * (the CLI's `--allowed-tools` / `--disallowed-tools`); they never add a tool. An unusable
   * pattern is a UsageError.
   */
  toolNames?: ToolNamePatterns;
  /** Extra governance layers, each placed after a named built-in layer. */
  middleware?: ExtraLayer[];
  /** Receives one structured log record per tool call (the logger layer). */
  log?: LogSink;
  /**
   * GC pacing (`heap-pacer.ts`): a full garbage collection, run while 32 or more agents (runs and
   * sub-agents) are in flight, after about one model request per agent. Off by default: a library
   * must not force collections on its host process. `true` uses the runtime's own collection
   * (`Bun.gc(true)` on Bun, `global.gc()` on Node with `--expose-gc`); a function is called
   * instead. The CLI turns it on.
   */
  collectGarbage?: (() => void) | boolean;
  /**
   * Time for everything the runtime's runs time: run deadlines, sub-agent timeouts, tool and
   * approval timeouts, rate limits, breakers, provider backoff and stall timers. Default: the
   * system clock; tests pass `manualClock()` from `agentry/testing`.
   */
  clock?: Clock;
  /** Told about problems after a run ended (a trace export that failed); silent by default. */
  onWarning?: (message: string) => void;
  /** The host's version, reported as `service.version` in exported traces. */
  version?: string;
}

/** A configured engine that runs agents. Holds no global state; close it to flush the audit log. */
export interface Runtime {
  run(request: RunRequest): Promise<RunResult>;
  /**
   * Continues a deferred run: executes its approved calls exactly once, then goes on.
   * A finished run is returned as it ended, changing nothing.
   */
  resume(
    runId: string,
    request?: Omit<RunRequest, "prompt" | "target">,
  ): Promise<RunResult & { alreadyFinished: boolean }>;
  /** Deferred runs and their approvals. */
  readonly deferred: DeferredRunStore;
  /**
   * Records a human decision on a pending approval in the run state and this runtime's audit
   * chain; executes nothing (`resume` does). Idempotent for the same decision.
   */
  decide(approvalId: string, verdict: ApprovalVerdict): DecideOutcome;
  close(): Promise<void>;
  /** Writes pending audit records synchronously (for signal handlers). */
  flushSync(): void;
}

/** Creates a runtime over a loaded configuration. */
export function createRuntime(loaded: LoadedConfig, options: RuntimeOptions = {}): Runtime {
  const rt = createRuntimeContext(loaded, options);
  const { audit, deferred } = rt;
  return {
    deferred,
    run: (request) => {
      const target = request.target ?? loaded.config.defaults?.agent;
      if (!target) {
        throw new UsageError("no agent given and [defaults].agent is not set", {
          hint: 'agentry run AGENT "prompt"',
        });
      }
      if (request.runId !== undefined && deferred.has(request.runId)) {
        throw new UsageError(`run id "${request.runId}" is taken by a deferred run`);
      }
      if (request.runId !== undefined && isSubAgentRunId(request.runId)) {
        throw new UsageError(`run id "${request.runId}" ends in .<digits>, the form of sub-agent run ids`, {
          hint: "choose a run id that does not end in a dot and digits",
        });
      }
      const runId = request.runId ?? newRunId();
      const plan: RunPlan = { runId, target, history: [], turns: 0, resumeCalls: [] };
      return executeRun(rt, { ...request, target }, plan);
    },
    resume: (runId, request = {}) => resumeRun(rt, runId, request),
    decide: (approvalId, verdict) => decideApproval(deferred, audit, approvalId, verdict),
    close: async () => {
      await rt.mcp.close();
      await audit?.close();
    },
    flushSync: () => audit?.flushSync(),
  };
}

/**
 * What every run of a runtime shares (`createRuntime` wraps it): the audit log is opened and the
 * state dir chosen here. Exported for tests of the runtime's internals.
 */
export function createRuntimeContext(loaded: LoadedConfig, options: RuntimeOptions = {}): RuntimeContext {
  const toolFilter = toolNameFilter(options.toolNames ?? {});
  const env = options.env ?? process.env;
  const stateDir = options.stateDir ?? resolveStateDir(loaded.config.defaults?.state_dir, env);
  const audit = openRunAudit(loaded.config, stateDir);
  const sandboxHost = sandboxHostForConfig(loaded, env, stateDir);
  const deferred = new DeferredRunStore(stateDir);
  const secrets = new Set(configuredSecretValues(loaded.config, env, DEFAULT_KEY_VARIABLE));
  const cassettes = new Map<string, CassetteWriter>();
  const clock = options.clock ?? systemClock;
  const rt: RuntimeContext = {
    loaded,
    env,
    stateDir,
    sandboxHost,
    audit,
    ask: options.ask,
    customTools: new Map((options.tools ?? []).map((tool) => [tool.name, tool])),
    toolFilter,
    builtinTools: new Map(),
    agents: new Map(),
    inlineAgents: new LruMap(INLINE_AGENTS_KEPT),
    cassette: (file) => {
      let writer = cassettes.get(file);
      if (!writer) {
        writer = createCassetteWriter(file);
        cassettes.set(file, writer);
      }
      return writer;
    },
    toolSchemas: new WeakMap(),
    extraLayers: options.middleware ?? [],
    log: options.log,
    secrets,
    deferred,
    mcp: new McpServers(loaded.config.mcp ?? {}, {
      env,
      sandboxHost,
      addSecrets: (values) => {
        for (const value of values) secrets.add(value);
      },
    }),
    now: () => clock.now(),
    clock,
    records: new RunRecords(
      stateDir,
      {
        keepRuns: loaded.config.state?.keep_runs ?? DEFAULT_RETENTION.keepRuns,
        keepDays: loaded.config.state?.keep_days ?? DEFAULT_RETENTION.keepDays,
      },
      () => new Date(clock.epochMs()),
    ),
    telemetry: telemetrySettings(loaded.config.telemetry, env),
    warn: options.onWarning ?? (() => {}),
    version: options.version,
    pacer: new HeapPacer(PACED_RUNS, collectorFor(options.collectGarbage)),
    prices: createPriceBook(loaded.config.pricing),
    pools: new ConnectionPools(),
  };
  return rt;
}

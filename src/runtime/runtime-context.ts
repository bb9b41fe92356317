import type { AuditLog } from "../audit/index.ts";
import type { LoadedConfig } from "../config/loader.ts";
import type { LogSink } from "../middleware/logger/index.ts";
import type { ExtraLayer } from "../middleware/pipeline.ts";
import type { ConnectionPools } from "../providers/http/dispatcher.ts";
import type { PriceBook } from "../providers/pricing.ts";
import type { CassetteWriter } from "../providers/replay/record.ts";
import type { Redactor } from "../redact/index.ts";
import type { SandboxHost } from "../sandbox/host.ts";
import type { Approver, RecordedDecisions } from "../spec/approval.ts";
import type { Clock } from "../spec/clock.ts";
import type { RunEventInput } from "../spec/events.ts";
import type { ToolSchema } from "../spec/model.ts";
import type { Tool } from "../spec/tool.ts";
import type { DeferredRunStore } from "../state/deferred-runs.ts";
import type { RunRecords } from "../state/run-records.ts";
import type { TelemetrySettings } from "../telemetry/settings.ts";
import type { HeapPacer } from "./heap-pacer.ts";
import type { LruMap } from "./lru-map.ts";
import type { McpServers } from "./mcp-servers.ts";
import type { AssembledAgent } from "./resolve-agent.ts";
import type { RunRequest } from "./run-request.ts";
import type { Semaphore } from "./semaphore.ts";
import type { ToolNameFilter } from "./tool-name-filter.ts";

/** What every run of one runtime shares: the config, the environment, state and audit. */
export interface RuntimeContext {
  loaded: LoadedConfig;
  env: Record<string, string | undefined>;
  stateDir: string;
  /** What sandboxes hide and protect of this runtime: home secrets, the state dir, the audit log, the config files. */
  sandboxHost: SandboxHost;
  audit: AuditLog | undefined;
  /** Interactive approver for `--approve ask`, provided by the host (the CLI's TTY prompt). */
  ask: Approver | undefined;
  customTools: ReadonlyMap<string, Tool>;
  /** Narrows every agent's tools by name (`RuntimeOptions.toolNames`); undefined keeps them all. */
  toolFilter: ToolNameFilter | undefined;
  /** Built-in tools are stateless: built once per runtime and shared by every agent and run. */
  builtinTools: Map<string, Promise<Tool | undefined>>;
  /** Declared agents assembled so far (`resolveAgent`), by name: bounded by the configuration. */
  agents: Map<string, Promise<AssembledAgent>>;
  /**
   * Ephemeral agents (`delegate`) by their model-chosen configuration, the `INLINE_AGENTS_KEPT`
   * most recently used: they share their parent's pipeline, so one assembled again loses nothing.
   */
  inlineAgents: LruMap<string, Promise<AssembledAgent>>;
  /** The runtime's writer of a `--record` cassette: the first run truncates the file, later ones append. */
  cassette(file: string): CassetteWriter;
  /** The JSON schema of each tool, computed once. */
  toolSchemas: WeakMap<Tool, ToolSchema>;
  extraLayers: ExtraLayer[];
  /** Sink of the structured logger layer (one JSON object per tool call); the layer is off without one. */
  log: LogSink | undefined;
  /** Secret values resolved so far (provider keys, tool headers); every new redactor starts with them. */
  secrets: Set<string>;
  deferred: DeferredRunStore;
  now(): number;
  /** The runtime's clock (`RuntimeOptions.clock`, else the system clock): every timer of its runs. */
  clock: Clock;
  /** The `[mcp.*]` servers, started on first use and stopped when the runtime closes. */
  mcp: McpServers;
  /** Collects garbage while many runs are in flight; told about every model request. */
  pacer: HeapPacer;
  /** Run records in the state dir (`agentry runs`), kept for every run not `--ephemeral`. */
  records: RunRecords;
  /** OpenTelemetry export, when configured; the exporter itself is imported on first use. */
  telemetry: TelemetrySettings | undefined;
  /** Told about problems that happen after `run_end` (a failed trace export). */
  warn(message: string): void;
  /** Version in exported traces (`service.version`). */
  version: string | undefined;
  /** Model prices of this configuration, each looked up once. */
  prices: PriceBook;
  /** Keep-alive connection pools of the providers (Node hosts), shared by the runtime's models. */
  pools: ConnectionPools;
}

/** What the agents of one top-level run share: its id, redactor, signal and event emitter. */
export interface RunScope {
  runId: string;
  request: RunRequest;
  redactor: Redactor;
  signal: AbortSignal;
  approver: Approver;
  /** Decisions recorded while the run was deferred, applied to their exact calls when it resumes. */
  recorded?: RecordedDecisions;
  emitFor(runId: string, agent: string): (event: RunEventInput) => void;
  /** Counts sub-agent runs, for child run ids. */
  children: { started: number };
  /** Bounds how many sub-agents of this run execute at once (`limits.max_concurrency`). */
  concurrency: Semaphore;
}

export type { ExtraLayer };

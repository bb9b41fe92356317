/**
 * agentry as a library: the same engine as the `agentry` CLI, for Node ≥ 20 and Bun.
 *
 * ```ts
 * const loaded = await loadConfig("agentry.toml", { tools: [lookup] });
 * const runtime = createRuntime(loaded, { tools: [lookup] });
 * const { events, result } = runStream(runtime, { target: "ops", prompt: "status?" });
 * for await (const event of events) if (event.type === "text_delta") process.stdout.write(event.text);
 * console.log((await result).status);
 * await runtime.close();
 * ```
 *
 * Nothing here keeps global state: runtimes in one process share no audit log, session, redactor,
 * tool or middleware. See docs/LIBRARY.md.
 */

export type { Budget } from "./agent/usage-meter.ts";
export type { LoadedConfig } from "./config/loader.ts";
export type {
  AgentConfig,
  ApproveMode,
  Config,
  FlowConfig,
  Mode,
  PolicyConfig,
  ProviderConfig,
  ScheduleConfig,
  ToolConfig,
} from "./config/schema.ts";
export { defineTool, type ToolDefinition } from "./library/define-tool.ts";
export {
  type LibraryLoadOptions,
  type LoadTextOptions,
  loadConfig,
  loadConfigText,
} from "./library/load-config.ts";
export { type RunStream, runStream } from "./library/run-stream.ts";
export { LAYER_NAMES, type LayerName, STOPPED_BY } from "./middleware/layer-names.ts";
export type { RunRequest, RunResult } from "./runtime/run-request.ts";
export { createRuntime, type Runtime, type RuntimeOptions } from "./runtime/runtime.ts";
export type { ExtraLayer } from "./runtime/runtime-context.ts";
export type { ApprovalDecision, ApprovalOutcome, ApprovalRequest, Approver } from "./spec/approval.ts";
export type { Clock, TimerHandle } from "./spec/clock.ts";
export {
  AgentryError,
  CapabilityUnavailableError,
  ConfigError,
  type ConfigIssue,
  InterruptedError,
  PolicyStopError,
  ProviderError,
  type ProviderErrorKind,
  type SerializedError,
  serializeError,
  UsageError,
} from "./spec/errors.ts";
export {
  EVENT_VERSION,
  type EventEnvelope,
  type RunEndEvent,
  type RunEvent,
  type RunEventInput,
  type RunEventType,
  type RunStatus,
  type StopReason,
  type UsageTotals,
} from "./spec/events.ts";
export { ExitCode, type ExitCodeValue } from "./spec/exit-codes.ts";
export type { Middleware, Next, PipelineCall, PipelineContext } from "./spec/middleware.ts";
export type { JsonSchema, Message, ToolCall } from "./spec/model.ts";
export type {
  StopCause,
  Tool,
  ToolContext,
  ToolFailure,
  ToolResult,
  ToolStop,
  ToolSuccess,
} from "./spec/tool.ts";

export { DEFAULT_APPROVAL_TIMEOUT_MS, newApprovalId } from "./approval/index.ts";
export { type PipelineClock, systemClock } from "./clock.ts";
export { composePipeline, type Pipeline, PipelineError, type Terminal } from "./compose.ts";
export { DEFAULT_MAX_OUTPUT } from "./context-enrichment/index.ts";
export { isRefusal, isToolFailure, LAYER_NAMES, type LayerName, STOPPED_BY } from "./layer-names.ts";
export type { LogSink } from "./logger/index.ts";
export {
  callFingerprint,
  createTextRepeatDetector,
  type TextRepeatDetector,
} from "./loop-detection/index.ts";
export { mergePolicy, POLICY_DEFAULTS } from "./merge-policy.ts";
export { createPipeline, type ExtraLayer, type PipelineOptions } from "./pipeline.ts";
export { primaryArgument } from "./primary-argument.ts";

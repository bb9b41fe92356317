import { type AGUIEvent, EventType, type Interrupt } from "@ag-ui/core";
import type { RunEvent } from "../spec/events.ts";

/** Where a translated run belongs: the AG-UI thread (agentry session) and the server's run id. */
export interface TranslationScope {
  threadId: string;
  runId: string;
}

/** Builds the interrupts of a run that ended awaiting approval (read from the deferred run). */
export type InterruptSource = () => Interrupt[];

/**
 * Translates one run's agentry events into AG-UI events: `run_start` → `RUN_STARTED`,
 * `text_delta`/`message` → `TEXT_MESSAGE_START/CONTENT/END`, `tool_call` → `TOOL_CALL_START/ARGS/END`,
 * `tool_result` → `TOOL_CALL_RESULT`, `run_end` → `RUN_FINISHED` (success, interrupt or cancelled)
 * or `RUN_ERROR`. Everything else (approvals, usage, warnings, sub-agents' events) travels as
 * `CUSTOM` events named `agentry.<type>`, so nothing agentry reports is lost. One instance per run.
 */
export class AguiTranslator {
  private rootRunId: string | undefined;
  private openMessageId: string | undefined;
  private messages = 0;

  constructor(
    private readonly scope: TranslationScope,
    private readonly interrupts: InterruptSource,
  ) {}

  /** The AG-UI events for one agentry event, in order (often one, sometimes none or several). */
  translate(event: RunEvent): AGUIEvent[] {
    this.rootRunId ??= event.run_id;
    if (event.run_id !== this.rootRunId) return [this.custom(event)];
    const { threadId, runId } = this.scope;
    switch (event.type) {
      case "run_start":
        return [{ type: EventType.RUN_STARTED, threadId, runId }];
      case "text_delta":
        if (event.text === "") return [];
        return [...this.openMessage(), this.content(event.text)];
      case "message":
        if (this.openMessageId === undefined && event.content !== "")
          return [...this.openMessage(), this.content(event.content), ...this.closeMessage()];
        return this.closeMessage();
      case "tool_call":
        return [
          ...this.closeMessage(),
          { type: EventType.TOOL_CALL_START, toolCallId: event.id, toolCallName: event.name },
          { type: EventType.TOOL_CALL_ARGS, toolCallId: event.id, delta: JSON.stringify(event.args ?? {}) },
          { type: EventType.TOOL_CALL_END, toolCallId: event.id },
        ];
      case "tool_result":
        return [
          {
            type: EventType.TOOL_CALL_RESULT,
            messageId: `${runId}-result-${event.id}`,
            toolCallId: event.id,
            role: "tool",
            content: (event.ok ? event.output : event.error) ?? "",
          },
          this.custom(event),
        ];
      case "run_end":
        return [...this.closeMessage(), this.custom(event), this.finish(event)];
      default:
        return [this.custom(event)];
    }
  }

  /** The events that end a run which failed before it could report (e.g. it could not start). */
  failed(message: string): AGUIEvent[] {
    const { threadId, runId } = this.scope;
    const started: AGUIEvent[] =
      this.rootRunId === undefined ? [{ type: EventType.RUN_STARTED, threadId, runId }] : [];
    return [...started, ...this.closeMessage(), { type: EventType.RUN_ERROR, message, code: "error" }];
  }

  private finish(event: Extract<RunEvent, { type: "run_end" }>): AGUIEvent {
    const { threadId, runId } = this.scope;
    switch (event.status) {
      case "ok":
        return {
          type: EventType.RUN_FINISHED,
          threadId,
          runId,
          result: event.answer,
          outcome: { type: "success" },
        };
      case "awaiting_approval": {
        const interrupts = this.interrupts();
        if (interrupts.length > 0) {
          return {
            type: EventType.RUN_FINISHED,
            threadId,
            runId,
            outcome: { type: "interrupt", interrupts },
          };
        }
        return runError(event, "the run awaits approval, but its saved state could not be read");
      }
      case "interrupted":
        return { type: EventType.RUN_FINISHED, threadId, runId, outcome: { type: "cancelled" } };
      case "failed":
      case "stopped":
        if (event.stop_reason === "cancelled")
          return { type: EventType.RUN_FINISHED, threadId, runId, outcome: { type: "cancelled" } };
        return runError(event, event.error?.message ?? `the run stopped: ${event.stop_reason}`);
      default: {
        const unreachable: never = event.status;
        return unreachable;
      }
    }
  }

  private openMessage(): AGUIEvent[] {
    if (this.openMessageId !== undefined) return [];
    this.messages += 1;
    this.openMessageId = `${this.scope.runId}-msg-${this.messages}`;
    return [{ type: EventType.TEXT_MESSAGE_START, messageId: this.openMessageId, role: "assistant" }];
  }

  private content(delta: string): AGUIEvent {
    return { type: EventType.TEXT_MESSAGE_CONTENT, messageId: this.openMessageId ?? "", delta };
  }

  private closeMessage(): AGUIEvent[] {
    if (this.openMessageId === undefined) return [];
    const messageId = this.openMessageId;
    this.openMessageId = undefined;
    return [{ type: EventType.TEXT_MESSAGE_END, messageId }];
  }

  private custom(event: RunEvent): AGUIEvent {
    return { type: EventType.CUSTOM, name: `agentry.${event.type}`, value: event };
  }
}

function runError(event: Extract<RunEvent, { type: "run_end" }>, message: string): AGUIEvent {
  return { type: EventType.RUN_ERROR, message, code: event.stop_reason };
}

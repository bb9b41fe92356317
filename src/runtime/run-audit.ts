import { type AuditLog, openAuditLog } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import { defaultAuditPath } from "../state/state-dir.ts";

/**
 * Opens the audit log runs append to: `[audit].path`, else `audit.jsonl` in the state dir; none
 * when `[audit].enabled = false`. Whatever records a governance decision (a run, `agentry
 * approvals approve|deny`) opens it here, so every decision lands in the log its run wrote.
 */
export function openRunAudit(config: Config | undefined, stateDir: string): AuditLog | undefined {
  const settings = config?.audit;
  if (settings?.enabled === false) return undefined;
  return openAuditLog(settings?.path ?? defaultAuditPath(stateDir));
}

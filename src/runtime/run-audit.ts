import { type AuditLog, openAuditLog } from "../audit/audit-log.ts";
import type { Config } from "../config/schema.ts";
import { defaultAuditPath } from "../state/state-dir.ts";

/**
 * Opens the audit log runs append to: `[audit].path`, else `audit.jsonl` in the state dir; none
 * when `[audit].enabled = false`. Whatever records a governance decision (a run, `agentry
 * approvals approve|deny`) opens it here, so every decision lands in the log its run wrote.
 */
export function openRunAudit(config: Config | undefined, stateDir: string): AuditLog | undefined {
  if (config?.audit?.enabled === false) return undefined;
  return openAuditLog(auditLogPath(config, stateDir));
}

/**
 * Where the audit log of a configuration is, enabled or not: `[audit].path`, else `audit.jsonl`
 * in `stateDir`. What `audit verify|show` and `runs report` read.
 */
export function auditLogPath(config: Config | undefined, stateDir: string): string {
  return config?.audit?.path ?? defaultAuditPath(stateDir);
}

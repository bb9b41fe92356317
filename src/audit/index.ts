export {
  type AuditLog,
  type AuditLogOptions,
  AuditReadError,
  AuditWriteError,
  openAuditLog,
} from "./audit-log.ts";
export { canonicalJson } from "./canonical-json.ts";
export { recordHash } from "./hash.ts";
export type * from "./records.ts";
export { genesisOf } from "./records.ts";
export { type AuditVerification, verifyAuditFile } from "./verify.ts";

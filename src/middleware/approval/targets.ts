import { PLACEHOLDER, type Redactor } from "../../redact/index.ts";

/**
 * Placeholder kinds that say where a call goes: an approver is shown their real values. Secrets,
 * keys, tokens, card and account numbers, SSNs and user patterns stay placeholders everywhere.
 */
const TARGET_KINDS = new Set(["ip", "email", "phone"]);

/**
 * The real values of the placeholders in `args` that name a call's target (IP addresses, e-mail
 * addresses, phone numbers), keyed by placeholder; undefined when there are none. The model only
 * ever saw the placeholders (it copied them from redacted output), so without these a human
 * would approve `curl http://[PII:ip:3f2a1c]/` without knowing which host it reaches.
 */
export function approvalTargets(
  args: Record<string, unknown>,
  redactor: Pick<Redactor, "restore">,
): Record<string, string> | undefined {
  const text = JSON.stringify(args);
  if (!text.includes("[PII:")) return undefined;
  const targets: Record<string, string> = {};
  let found = false;
  for (const [placeholder] of text.matchAll(PLACEHOLDER)) {
    const kind = placeholder.slice("[PII:".length, placeholder.indexOf(":", "[PII:".length));
    if (!TARGET_KINDS.has(kind)) continue;
    const value = redactor.restore(placeholder);
    if (value === placeholder) continue;
    targets[placeholder] = value;
    found = true;
  }
  return found ? targets : undefined;
}

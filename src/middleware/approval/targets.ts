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
  return targetsIn(JSON.stringify(args), (placeholder) => redactor.restore(placeholder));
}

/**
 * The real values of the ip, e-mail and phone placeholders in `text`, as `lookup` knows them (a
 * redactor's `restore`, which answers an unknown placeholder with itself, or a deferred run's
 * sealed values), keyed by placeholder; undefined when there are none.
 */
export function targetsIn(
  text: string,
  lookup: (placeholder: string) => string | undefined,
): Record<string, string> | undefined {
  if (!text.includes("[PII:")) return undefined;
  const targets: Record<string, string> = {};
  let found = false;
  for (const [placeholder] of text.matchAll(PLACEHOLDER)) {
    if (!TARGET_KINDS.has(placeholder.slice("[PII:".length, placeholder.indexOf(":", "[PII:".length))))
      continue;
    const value = lookup(placeholder);
    if (value === undefined || value === placeholder) continue;
    targets[placeholder] = value;
    found = true;
  }
  return found ? targets : undefined;
}

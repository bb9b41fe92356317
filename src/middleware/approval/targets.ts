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
  return placeholderValues(
    JSON.stringify(args),
    (placeholder) => redactor.restore(placeholder),
    isTargetPlaceholder,
  );
}

/** Whether a placeholder is of a kind an approver is shown the real value of (ip, e-mail, phone). */
export function isTargetPlaceholder(placeholder: string): boolean {
  return TARGET_KINDS.has(placeholder.slice("[PII:".length, placeholder.indexOf(":", "[PII:".length)));
}

/**
 * The real values of the placeholders in `text` that `accept` takes, as `lookup` knows them (a
 * redactor's `restore`, which answers an unknown placeholder with itself), keyed by placeholder;
 * undefined when there are none.
 */
export function placeholderValues(
  text: string,
  lookup: (placeholder: string) => string | undefined,
  accept: (placeholder: string) => boolean = () => true,
): Record<string, string> | undefined {
  if (!text.includes("[PII:")) return undefined;
  const values: Record<string, string> = {};
  let found = false;
  for (const [placeholder] of text.matchAll(PLACEHOLDER)) {
    if (!accept(placeholder)) continue;
    const value = lookup(placeholder);
    if (value === undefined || value === placeholder) continue;
    values[placeholder] = value;
    found = true;
  }
  return found ? values : undefined;
}

/**
 * The ip, e-mail and phone entries of `known` (placeholder → real value, e.g. a deferred run's
 * sealed placeholders) whose placeholder appears in `text` (a pending call's arguments as shown);
 * undefined when there are none.
 */
export function targetsIn(
  text: string,
  known: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  return placeholderValues(text, (placeholder) => known[placeholder], isTargetPlaceholder);
}

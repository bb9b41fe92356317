import { collect, type Detection } from "./types.ts";

const PROVIDER_KEY = new RegExp(
  [
    "\\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
    "\\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",
    "\\bAIza[0-9A-Za-z_-]{35}",
    "\\bgh[pousr]_[A-Za-z0-9]{36,}",
    "\\bgithub_pat_[A-Za-z0-9_]{22,}",
    "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b",
    "\\bxox[abposr]-[A-Za-z0-9-]{10,}",
  ].join("|"),
  "g",
);

/**
 * Provider API key formats: OpenAI (`sk-…`, `sk-proj-…`), Anthropic (`sk-ant-…`), Stripe
 * (`sk_live_…`, `rk_live_…`), Google (`AIza…`), GitHub (`ghp_…`, `github_pat_…`), AWS access key
 * ids (`AKIA…`, `ASIA…`) and Slack (`xox…-`). Each alternative starts with a literal prefix.
 */
export function detectApiKeys(text: string, out: Detection[]): void {
  collect(PROVIDER_KEY, text, out, "api_key");
}

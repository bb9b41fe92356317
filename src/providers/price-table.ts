/** USD per million tokens; `cachedInput` applies to input tokens served from the provider's prompt cache. */
export interface Price {
  input: number;
  output: number;
  cachedInput?: number;
}

/**
 * List prices (standard tier, prompts ≤ 200k tokens where tiers exist) as of 2025/2026,
 * gathered from the providers' pricing pages as quoted in public price references; see
 * docs/PROVIDERS.md for sources and date. Keys are bare model names; dated snapshots
 * (`-2025-04-14`, `-20250929`) and `-latest` resolve to them.
 */
export const PRICE_TABLE: Readonly<Record<string, Price>> = {
  "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  "o4-mini": { input: 1.1, output: 4.4, cachedInput: 0.275 },
  "gpt-5": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cachedInput: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cachedInput: 0.005 },
  "claude-opus-4-1": { input: 15, output: 75, cachedInput: 1.5 },
  "claude-sonnet-4-5": { input: 3, output: 15, cachedInput: 0.3 },
  "claude-sonnet-4": { input: 3, output: 15, cachedInput: 0.3 },
  "claude-haiku-4-5": { input: 1, output: 5, cachedInput: 0.1 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cachedInput: 0.08 },
  "gemini-2.5-pro": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.03 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4, cachedInput: 0.01 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4, cachedInput: 0.025 },
};

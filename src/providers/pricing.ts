import { namedEntry } from "../config/named-entry.ts";
import type { Config } from "../config/schema.ts";
import type { Usage } from "../spec/model.ts";
import { PRICE_TABLE, type Price } from "./price-table.ts";

export { PRICE_TABLE, type Price } from "./price-table.ts";

/** What a turn cost, and whether the model had a price at all (callers warn once when not). */
export interface Cost {
  usd: number;
  known: boolean;
}

const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|latest|preview(-[\w.-]+)?|\d{3})$/;

/** Strips `replay/`, the provider id and `models/`, then dated snapshot suffixes, to find a table key. */
function candidates(ref: string): string[] {
  const bare = ref.replace(/^replay\//, "");
  const slash = bare.indexOf("/");
  const model = (slash >= 0 ? bare.slice(slash + 1) : bare).replace(/^models\//, "");
  const names = [bare, model];
  let stripped = model;
  while (SNAPSHOT_SUFFIX.test(stripped)) {
    stripped = stripped.replace(SNAPSHOT_SUFFIX, "");
    names.push(stripped);
  }
  return names;
}

/** Prices of one configuration, each model looked up once: later turns cost one map lookup. */
export interface PriceBook {
  priceOf(ref: string): Price | undefined;
  costUsd(ref: string, usage: Usage): Cost;
}

/**
 * A price book over one overrides table, owned by a runtime (benchmark-driven memo: the lookup
 * strips snapshot suffixes with regexes, which showed in the per-turn profile).
 */
export function createPriceBook(overrides?: Config["pricing"]): PriceBook {
  const prices = new Map<string, Price | undefined>();
  const book: PriceBook = {
    priceOf: (ref) => {
      if (prices.has(ref)) return prices.get(ref);
      const price = priceOf(ref, overrides);
      prices.set(ref, price);
      return price;
    },
    costUsd: (ref, usage) => costOf(book.priceOf(ref), usage),
  };
  return book;
}

/**
 * The price of a model: config overrides first (keyed `provider/model` or bare model name),
 * then the built-in table. `replay/<ref>` is priced as the recorded model.
 */
export function priceOf(ref: string, overrides?: Config["pricing"]): Price | undefined {
  for (const name of candidates(ref)) {
    const override = namedEntry(overrides, name);
    if (override) {
      return {
        input: override.input_per_mtok,
        output: override.output_per_mtok,
        ...(override.cached_input_per_mtok !== undefined
          ? { cachedInput: override.cached_input_per_mtok }
          : {}),
      };
    }
  }
  for (const name of candidates(ref)) {
    const price = namedEntry(PRICE_TABLE, name);
    if (price) return price;
  }
  return undefined;
}

/**
 * Cost in USD of one response's usage. Cached input tokens (part of `inputTokens`) are billed
 * at the cached rate when the model has one. An unknown model costs 0 with `known: false`.
 */
export function costUsd(ref: string, usage: Usage, overrides?: Config["pricing"]): Cost {
  return costOf(priceOf(ref, overrides), usage);
}

function costOf(price: Price | undefined, usage: Usage): Cost {
  if (!price) return { usd: 0, known: false };
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  const usd =
    (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) /
    1_000_000;
  return { usd, known: true };
}

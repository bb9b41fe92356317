import { expect, test } from "bun:test";
import { TIER_UP_CONCURRENCY } from "../../src/cli/jit-tier-up.ts";
import { startUpSettingsFor } from "../../src/cli/start-up-settings.ts";

test("few runs need no start-up settings", () => {
  expect(startUpSettingsFor(8, { ftl: false }, {})).toEqual({});
  expect(startUpSettingsFor(128, { ftl: true }, {})).toEqual({});
});

test("more runs than half of Bun's 256 fetch slots raise the limit to twice the runs", () => {
  expect(startUpSettingsFor(129, { ftl: true }, {})).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "258" });
  expect(startUpSettingsFor(500, { ftl: true }, {})).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "1000" });
  expect(startUpSettingsFor(100_000, { ftl: true }, {})).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" });
});

test("a command without the top JIT tier turns FTL off from the tier-up concurrency on", () => {
  expect(startUpSettingsFor(TIER_UP_CONCURRENCY - 1, { ftl: false }, {})).toEqual({});
  expect(startUpSettingsFor(TIER_UP_CONCURRENCY, { ftl: false }, {})).toEqual({ BUN_JSC_useFTLJIT: "0" });
  expect(startUpSettingsFor(500, { ftl: false }, {})).toEqual({
    BUN_CONFIG_MAX_HTTP_REQUESTS: "1000",
    BUN_JSC_useFTLJIT: "0",
  });
});

test("what the environment already sets is left as it is, so a restarted process does not restart again", () => {
  const set = { BUN_CONFIG_MAX_HTTP_REQUESTS: "64", BUN_JSC_useFTLJIT: "1" };
  expect(startUpSettingsFor(500, { ftl: false }, set)).toEqual({});
  const restarted = { ...startUpSettingsFor(500, { ftl: false }, {}) };
  expect(startUpSettingsFor(500, { ftl: false }, restarted)).toEqual({});
});

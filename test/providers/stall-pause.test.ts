import { afterEach, expect, test } from "bun:test";
import { openModel } from "../../src/providers/registry.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { ask, configFor, PROTOCOLS, testOptions } from "./support.ts";

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

test("a slow consumer holding an event does not trip the stall timer", async () => {
  const p = PROTOCOLS[0];
  mock = await startMockProvider({ turns: [{ text: "slow consumer text" }] });
  const { options } = testOptions(p);
  const model = openModel(configFor(p, mock, { stall_timeout: 40 }), `${p.kind}/${p.model}`, options);
  const seen: string[] = [];
  for await (const event of model.stream(ask("hi"))) {
    seen.push(event.type);
    if (event.type === "text-delta" && seen.length === 1) await new Promise((r) => setTimeout(r, 120));
  }
  expect(seen.at(-1)).toBe("finish");
});

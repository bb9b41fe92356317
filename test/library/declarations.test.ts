import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLibraryBuilt, ROOT } from "./support.ts";

/** A consumer project as a user has it: `agentry` installed under node_modules, strict NodeNext. */
const CONSUMER = `
import { createRuntime, defineTool, ExitCode, loadConfigText, type Middleware, type RunEvent, runStream } from "agentry";
import { startMockProvider } from "agentry/testing";
import { z } from "zod";

const lookup = defineTool({
  name: "lookup",
  description: "Looks a key up.",
  parameters: z.object({ key: z.string() }),
  execute: async ({ key }) => key.toUpperCase(),
});
// @ts-expect-error arguments are typed from the zod schema
defineTool({ name: "bad", description: "x", parameters: z.object({ n: z.number() }), execute: ({ n }) => n.toUpperCase() });

const audit: Middleware = async (ctx, call, next) => {
  const result = await next(call);
  return { ...result, output: \`\${ctx.agent}:\${result.output}\` };
};

export async function main(): Promise<number> {
  const mock = await startMockProvider({ turns: [{ text: "hi" }] });
  const loaded = await loadConfigText("", { tools: [lookup] });
  const runtime = createRuntime(loaded, { tools: [lookup], middleware: [{ after: "audit", layer: audit }] });
  const { events, result } = runStream(runtime, { prompt: "p", approve: "auto" });
  for await (const event of events) {
    const narrowed: RunEvent = event;
    if (narrowed.type === "tool_result") console.log(narrowed.duration_ms.toFixed(0));
    // @ts-expect-error text only exists on text_delta events
    console.log(narrowed.text);
  }
  const outcome = await result;
  await mock.close();
  await runtime.close();
  return outcome.exitCode === ExitCode.ok ? 0 : outcome.exitCode;
}
`;

let dir: string;

beforeAll(async () => {
  await ensureLibraryBuilt();
  dir = mkdtempSync(join(tmpdir(), "agentry-consumer-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/agentry"), "dir");
  symlinkSync(join(ROOT, "node_modules/zod"), join(dir, "node_modules/zod"), "dir");
  symlinkSync(join(ROOT, "node_modules/@types"), join(dir, "node_modules/@types"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", type: "module" }));
  writeFileSync(join(dir, "consumer.ts"), CONSUMER);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2023"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ["consumer.ts"],
    }),
  );
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the emitted declarations type-check in a strict NodeNext consumer of `agentry` and `agentry/testing`", () => {
  const result = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", dir], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(`${result.stdout}${result.stderr}`).toBe("");
  expect(result.status).toBe(0);
}, 60_000);

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import type { MockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from "../support/chromium.ts";
import { OBSERVED_SECRETS, observedEnv, startObservedRun } from "../support/observed-run.ts";
import type { Workspace } from "../support/workspace.ts";

/** Markup in the prompt: the report must show it as text, never run or load it. */
const HOSTILE = `<img src="http://127.0.0.1:9/x.png" onerror="document.title='pwned'"><script>document.title='pwned'</script>`;

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let profile: string | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the HTML report in headless Chromium from file://: no console error, no request, waterfall and governance shown, data escaped", async () => {
  requireChromium();
  ({ mock, ws } = await startObservedRun());
  const workspace = ws;
  const env = observedEnv(workspace);
  const run = await runBinary(
    ["run", "-c", workspace.configPath, "--output", "json", `help ${OBSERVED_SECRETS.email} ${HOSTILE}`],
    {
      cwd: workspace.dir,
      env,
      timeoutMs: 60_000,
    },
  );
  expect(run.code).toBe(0);
  const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
  const file = join(workspace.dir, "run.html");
  const report = await runBinary(["runs", "report", runId, "-o", file, "-c", workspace.configPath], {
    cwd: workspace.dir,
    env,
  });
  expect(report.code).toBe(0);
  const html = readFileSync(file, "utf8");
  expect(html).not.toContain(OBSERVED_SECRETS.email);
  expect(html).not.toContain(OBSERVED_SECRETS.token);
  expect(html).not.toContain("<img src=");
  expect(html).toContain("&lt;img src=");

  profile = mkdtempSync(join(tmpdir(), "agentry-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    offline: true,
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });
    expect(await page.locator("#waterfall svg g.row").count()).toBeGreaterThanOrEqual(8);
    const governance = await page.locator("#governance").innerText();
    expect(governance).toContain("refusal");
    expect(governance).toContain('matches deny pattern "sh:rm *"');
    expect(await page.locator("#audit").innerText()).toContain("Hash chain verified");
    expect(await page.locator("#transcript details").count()).toBeGreaterThan(3);
    expect(await page.locator("#transcript details[open]").count()).toBe(0);
    await page.locator("#toggle-transcript").click();
    expect(await page.locator("#transcript details[open]").count()).toBe(
      await page.locator("#transcript details").count(),
    );
    expect(await page.title()).toBe(`agentry run ${runId}`);
    expect(await page.locator("#transcript").innerText()).toContain(
      "<script>document.title='pwned'</script>",
    );
    await page.screenshot({ path: join(workspace.dir, "report.png"), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
  } finally {
    await context.close();
  }
}, 120_000);

import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from "../support/chromium.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { readSse, startServerProcess } from "../support/server-process.ts";
import { mockDefaultsToml, SHELL_TOOL_TOML } from "../support/workspace.ts";

const TOKEN = "browser-test-token-0123456789abcdefABCDEF";

const e2e = e2eFixture();

test("in headless Chromium: enter the token, see the pending approval and its real target, approve it, the run finishes", async () => {
  requireChromium();
  const mock = await e2e.mock((request) => {
    const messages = (request.body as { messages: { role: string; content: string | null }[] }).messages;
    const tools = messages.filter((m) => m.role === "tool");
    if (tools.length === 0)
      return { toolCalls: [{ id: "call-0", name: "files", arguments: { op: "read", path: "hosts.txt" } }] };
    if (tools.length === 1) {
      const host = /\[PII:ip:[0-9a-f]+\]/.exec(String(tools[0]?.content))?.[0] ?? "none";
      return {
        toolCalls: [
          { id: "call-1", name: "sh", arguments: { command: `echo deployed to ${host} >> deploy.log` } },
        ],
      };
    }
    return { text: "Deployed after approval." };
  });
  const ws = e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${SHELL_TOOL_TOML}
[tools.files]
kind = "file"
root = "."

[agents.ops]
tools = ["sh", "files"]
mode = "ask"
[agents.ops.policy]
approval = { tools = ["sh"] }
`);
  ws.write("hosts.txt", "production host: 10.20.30.40\n");
  const server = await startServerProcess(["--listen", "127.0.0.1:0", "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, AGENTRY_SERVER_TOKEN: TOKEN },
  });
  e2e.afterThis(() => server.stop("SIGKILL"));
  const started = await fetch(`${server.url}/v1/agents/ops/runs`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      threadId: "release-42",
      messages: [{ id: "u1", role: "user", content: "deploy" }],
    }),
  });
  const streamed = await readSse(started);
  const outcome = streamed.at(-1)?.data["outcome"] as { type: string; interrupts: { id: string }[] };
  expect(outcome.type).toBe("interrupt");
  const interruptId = outcome.interrupts[0]?.id ?? "";

  const profile = mkdtempSync(join(tmpdir(), "agentry-chromium-"));
  e2e.afterThis(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 720 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const response = await page.goto(server.url);
    expect(response?.headers()["x-frame-options"]).toBe("DENY");
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");

    await page.fill("#token", TOKEN);
    await page.click("#save-token");
    const card = page.locator(`.interrupt[data-id="${interruptId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toMatch(/echo deployed to \[PII:ip:[0-9a-f]+\] >> deploy\.log/);
    expect(await card.locator("ul.targets").textContent()).toMatch(
      /^\[PII:ip:[0-9a-f]+\] is 10\.20\.30\.40$/,
    );
    expect(await card.textContent()).toContain('policy.approval.tools includes "sh"');
    expect(await page.locator("#token-form").isVisible()).toBe(false);
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.evaluate(() => sessionStorage.getItem("agentry-server-token"))).toBe(TOKEN);
    const shot = process.env["AGENTRY_SCREENSHOT"];
    if (shot) await page.screenshot({ path: shot });

    await card.locator("button.approve").click();
    await page.locator("#log .finished").waitFor();
    expect(await page.locator("#log .finished").textContent()).toContain("Deployed after approval.");
    await page.locator("#empty").waitFor();
    expect(readFileSync(join(ws.dir, "deploy.log"), "utf8")).toBe("deployed to 10.20.30.40\n");
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});

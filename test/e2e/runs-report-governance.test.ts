import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { shellCall } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson } from "../support/workspace.ts";

const e2e = e2eFixture();

/** The text of the HTML report's governance section, tags dropped and entities decoded. */
function governanceSection(html: string): string {
  const start = html.indexOf("Governance log");
  const end = html.indexOf("Audit chain", start);
  return html
    .slice(start, end)
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ");
}

describe("issue 18: the HTML report's governance log lists every refusal", () => {
  test("a call refused by the tool's own deny rule is in the governance log, with the rule; a layer's refusal once", async () => {
    await e2e.mock([
      shellCall("c1", "rm -rf build"),
      shellCall("c2", "curl http://example.com"),
      { text: "I could not do either." },
    ]);
    e2e.workspace(`${mockDefaultsToml(e2e.provider.baseUrls.openai, "a")}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]
deny = ["rm *"]

[agents.a]
instructions = "Clean up."
tools = ["sh"]
policy = { approval = { deny = ["sh:curl *"] } }
`);
    const run = await e2e.agentry(["run", "--approve", "auto", "--output", "ndjson", "clean up"]);
    expect(run.code).toBe(0);
    const events = parseNdjson(run.stdout);
    const stoppedBy = events
      .filter((event) => event["type"] === "tool_result")
      .map((event) => event["stopped_by"]);
    expect(stoppedBy).toEqual(["tool_policy", "approval"]);
    const runId = String(events.find((event) => event["type"] === "run_end")?.["run_id"]);

    const report = await e2e.agentry(["runs", "report", runId, "-o", "report.html"]);
    expect(report.code).toBe(0);
    const governance = governanceSection(readFileSync(join(e2e.ws.dir, "report.html"), "utf8"));
    expect(governance).not.toContain("No approvals, refusals or policy stops.");
    expect(governance).toContain("refusal");
    expect(governance).toContain("refused (tool_policy)");
    expect(governance).toContain('command "rm -rf build" is denied by the rule "rm *"');
    expect(governance.split("refused (tool_policy)")).toHaveLength(2);
    expect(governance.split("denied (approval)")).toHaveLength(2);
    expect(governance).toContain('deny pattern "sh:curl *"');
  });
});

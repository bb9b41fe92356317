import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

const e2e = e2eFixture();

/**
 * A file tool and an http tool that ask for approval except on patterns naming one folder and one
 * host (`--approve deny`: a call that asks is denied). The model spells targets outside them so
 * that the text it wrote starts like the exempt pattern.
 */
const CONFIG = (baseUrl: string, root: string) => `
[defaults]
agent = "probe"
model = "mock/gpt-4.1-mini"
max_turns = 4

${mockProviderToml(baseUrl)}
[tools.files]
kind = "file"
root = "${root}"

[tools.web]
kind = "http"
timeout = "2s"
allow_private = ["127.0.0.1"]

[agents.probe]
tools = ["files", "web"]
mode = "ask"

[agents.probe.policy]
approval = { tools = ["files", "web"], except = ["files:read docs/*", "web:GET http://127.0.0.1:9/open/*"], deny = ["files:read secret*", "web:* http://127.0.0.1:9/admin*"] }
failures = { max_consecutive = 20, max_total = 50 }
`;

describe("approval patterns judge the file path and URL the tool will reach (review 7)", () => {
  test("..-paths, symlinks and other spellings are neither exempted by except nor hidden from deny", async () => {
    const ws = e2e.workspace("");
    const root = join(ws.dir, "root");
    mkdirSync(join(root, "docs"), { recursive: true });
    ws.write("root/docs/a.md", "public notes\n");
    ws.write("root/secret.txt", "TOP-SECRET\n");
    symlinkSync("../secret.txt", join(root, "docs", "link"));
    const calls: [string, string, Record<string, unknown>][] = [
      ["dotdot", "files", { op: "read", path: "docs/../secret.txt" }],
      ["link", "files", { op: "read", path: "docs/link" }],
      ["plain", "files", { op: "read", path: "docs/a.md" }],
      ["deny-dot", "files", { op: "read", path: "./secret.txt" }],
      ["deny-abs", "files", { op: "read", path: join(root, "secret.txt") }],
      ["web-dots", "web", { url: "http://127.0.0.1:9/open/../admin" }],
      ["web-case", "web", { url: "HTTP://127.0.0.1:9/admin" }],
    ];
    const mock = await e2e.mock([
      { toolCalls: calls.map(([id, name, args]) => ({ id, name, arguments: args })) },
      { text: "done" },
    ]);
    ws.write("agentry.toml", CONFIG(mock.baseUrls.openai, root));
    const result = await e2e.agentry(["run", "--approve", "deny", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const results = new Map(
      parseNdjson(result.stdout)
        .filter((event) => event.type === "tool_result")
        .map((event) => [String(event.id), event]),
    );
    expect(result.stdout).not.toContain("TOP-SECRET");
    expect(results.get("plain")).toMatchObject({ ok: true });
    for (const id of ["dotdot", "link", "deny-dot", "deny-abs", "web-dots", "web-case"]) {
      expect({ id, ok: results.get(id)?.ok, by: results.get(id)?.stopped_by }).toEqual({
        id,
        ok: false,
        by: "approval",
      });
    }
    expect(String(results.get("deny-dot")?.error)).toContain('matches deny pattern "files:read secret*"');
    expect(String(results.get("web-case")?.error)).toContain("matches deny pattern");
    expect(String(results.get("web-dots")?.error)).toContain("matches deny pattern");
  }, 60_000);
});

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

const e2e = e2eFixture();

/**
 * Tools of the probe in issue 11: `open` (shell, allow echo), `sh` (shell, deny rm), `direct` (no
 * shell, deny rm), `plain` (no shell, no rules, approval deny `plain:rm *`), `gated` (shell, asks
 * for approval except `gated:git status*`). The workspace holds `victim`, which no call may remove,
 * and no call may create `pwned`.
 */
const CONFIG = (baseUrl: string) => `
[defaults]
agent = "probe"
model = "mock/gpt-4.1-mini"
max_turns = 4

${mockProviderToml(baseUrl)}
[tools.open]
kind = "shell"
shell = true
allow = ["echo *"]
env = ["PATH"]

[tools.sh]
kind = "shell"
shell = true
deny = ["rm *"]
env = ["PATH"]

[tools.direct]
kind = "shell"
deny = ["rm *"]
env = ["PATH"]

[tools.plain]
kind = "shell"
env = ["PATH"]

[tools.finder]
kind = "shell"
shell = true
allow = ["find *", "echo *"]
env = ["PATH"]

[tools.gated]
kind = "shell"
shell = true
env = ["PATH"]

[agents.probe]
tools = ["open", "sh", "direct", "plain", "gated", "finder"]
mode = "ask"

[agents.probe.policy]
approval = { tools = ["gated"], except = ["gated:git status*", "gated:echo *"], deny = ["plain:rm *"] }
failures = { max_consecutive = 20, max_total = 50 }
`;

/** Runs one model turn making every call at once, then a final answer; returns the tool results. */
async function probe(calls: [tool: string, command: string][]) {
  const mock = await e2e.mock([
    { toolCalls: calls.map(([name, command], i) => ({ id: `p${i}`, name, arguments: { command } })) },
    { text: "done" },
  ]);
  const ws = e2e.workspace(CONFIG(mock.baseUrls.openai));
  ws.write("victim", "keep me\n");
  const result = await e2e.agentry(["run", "--approve", "deny", "--output", "ndjson", "go"]);
  expect(result.code).toBe(0);
  const results = parseNdjson(result.stdout).filter((event) => event.type === "tool_result");
  expect(results).toHaveLength(calls.length);
  expect(existsSync(join(ws.dir, "victim"))).toBe(true);
  expect(existsSync(join(ws.dir, "pwned"))).toBe(false);
  return results.map((event) => ({ ok: event.ok, error: String(event.error ?? "") }));
}

describe("shell policy on the compiled binary (issue 11)", () => {
  test("item 1: a quote after # cannot hide commands from an allow list", async () => {
    const results = await probe([
      ["open", "echo a #'\ntouch pwned; rm victim\n#'"],
      ["open", 'echo "a" #"\nrm victim\n#"'],
    ]);
    expect(results[0]).toEqual({
      ok: false,
      error: expect.stringContaining('command "touch pwned" is not allowed'),
    });
    expect(results[1]).toEqual({
      ok: false,
      error: expect.stringContaining('command "rm victim" is not allowed'),
    });
  });

  test("item 7: compound commands, assignments, eval/exec/command, ! and $VAR are refused under a deny list", async () => {
    const commands = [
      "{ rm victim; }",
      "if true; then rm victim; fi",
      "X=1 rm victim",
      "exec rm victim",
      "command rm victim",
      "! rm victim",
      "eval 'rm victim'",
      "R=rm; $R victim",
    ];
    const results = await probe(commands.map((command) => ["sh", command]));
    for (const result of results) {
      expect(result.ok).toBe(false);
      expect(result.error).toContain("rules cannot check this command");
    }
  });

  test("item 3: approval deny plain:rm * matches the parsed argv, not the raw text", async () => {
    const commands = [" rm victim", '"rm" victim', "r''m victim", "rm\tvictim", "/bin/rm victim"];
    const results = await probe(commands.map((command) => ["plain", command]));
    for (const result of results) {
      expect(result).toEqual({
        ok: false,
        error: expect.stringContaining('matches deny pattern "plain:rm *"'),
      });
    }
  });

  test("item 3: except gated:git status* does not exempt git status; rm", async () => {
    const results = await probe([
      ["gated", "git status; rm victim"],
      ["gated", "echo a > pwned"],
      ["gated", "echo exempt"],
    ]);
    expect(results[0]?.error).toContain("gated call denied by");
    expect(results[1]?.error).toContain("gated call denied by");
    expect(results[2]).toEqual({ ok: true, error: "" });
  });

  test("item 14: with shell = false, paths and wrappers cannot reach a denied program", async () => {
    const commands = [
      "/bin/rm victim",
      "env rm victim",
      "find victim -delete",
      "sh -c 'rm victim'",
      "xargs -a victim rm",
    ];
    const results = await probe(commands.map((command) => ["direct", command]));
    for (const result of results) {
      expect(result).toEqual({ ok: false, error: expect.stringContaining('is denied by the rule "rm *"') });
    }
  });

  test("item 15: redirections to files are refused under an allow list", async () => {
    const results = await probe([
      ["open", "echo a > pwned"],
      ["open", "echo a >> pwned"],
      ["open", "echo a 2>/dev/null"],
    ]);
    expect(results[0]?.error).toContain('the redirection "> pwned" is refused');
    expect(results[1]?.error).toContain('the redirection ">> pwned" is refused');
    expect(results[2]).toEqual({ ok: true, error: "" });
  });

  test("review 7: an expansion or pattern cannot steer find, sh -c or timeout past allow and deny rules", async () => {
    const results = await probe([
      ["finder", "find . -name victim -delete$NOPE"],
      ["finder", "find . -name victim -exec$NOPE rm {} \\;"],
      ["finder", "find . -name victim -exec$NOPE sh -c 'touch pwned' \\;"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, ${IFS} is for sh
      ["sh", 'sh -c "echo a${IFS}rm victim"'],
      ["sh", "timeout $NOPE 5 rm victim"],
      ["finder", "find . -name victim"],
    ]);
    for (const result of results.slice(0, 5)) {
      expect(result).toEqual({
        ok: false,
        error: expect.stringContaining("is expanded or rewritten by the shell"),
      });
    }
    expect(results[5]).toEqual({ ok: true, error: "" });
  });

  test("doctor warns that deny rules without an allow list are best-effort", async () => {
    const mock = await e2e.mock([]);
    const ws = e2e.workspace(CONFIG(mock.baseUrls.openai));
    const result = await runBinary(["doctor", "-c", ws.configPath], { cwd: ws.dir });
    const warnings = result.stdout.split("\n").filter((line) => line.startsWith("warn"));
    expect(warnings.map((line) => /tools\.(\w+):/.exec(line)?.[1])).toEqual(["sh", "direct"]);
    expect(warnings[0]).toContain("deny rules without an allow list are best-effort");
  });
});

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MockRequest, MockTurn } from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockDefaultsToml, SHELL_TOOL_TOML, type Workspace } from "../support/workspace.ts";

const e2e = e2eFixture();

const call = (id: string, name: string, args: Record<string, unknown>): MockTurn => ({
  toolCalls: [{ id, name, arguments: args }],
});

/**
 * A model that reads `file` with the file tool, copies the first `kind` placeholder of what it read
 * into a shell call (`echo WORD PLACEHOLDER >> calls.log`), then finishes.
 */
const copyingModel =
  (file: string, kind: string, word: string) =>
  (request: MockRequest): MockTurn => {
    const messages = (request.body as { messages: { role: string; content: string | null }[] }).messages;
    const tools = messages.filter((m) => m.role === "tool");
    if (tools.length === 0) return call("r1", "files", { op: "read", path: file });
    if (tools.length === 1) {
      const placeholder =
        new RegExp(`\\[PII:${kind}:[0-9a-f]+\\]`).exec(String(tools[0]?.content))?.[0] ?? "none";
      return call("s1", "sh", { command: `echo ${word} ${placeholder} >> calls.log` });
    }
    return { text: "finished" };
  };

/** Quotes a word for /bin/sh (the `script` command runs its argument through a shell). */
const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** An agent `tty` with a shell and a file tool, asking before the tools in `asking`. */
const ttyAgent = (baseUrl: string, asking: string[]) => `
${mockDefaultsToml(baseUrl, "tty")}
${SHELL_TOOL_TOML}
[tools.files]
kind = "file"
root = "."

[agents.tty]
tools = ["sh", "files"]
mode = "ask"
policy = { approval = { tools = ${JSON.stringify(asking)} } }
`;

/** `agentry run go` in the workspace through a pseudo-terminal, `answers` typed into it. */
function runInTerminal(ws: Workspace, answers: string) {
  const command = [BINARY, "run", "-c", ws.configPath, "go"].map(quote).join(" ");
  return runBinary(["-q", "-e", "-f", "-c", command, "/dev/null"], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, TERM: "dumb" },
    stdin: answers,
    binary: "script",
  });
}

describe("--approve ask through a pseudo-terminal", () => {
  test("approve, deny with a reason the model sees, and approve-for-run", async () => {
    const mock = await e2e.mock([
      call("a1", "sh", { command: "echo approved >> calls.log" }),
      call("a2", "sh", { command: "echo denied >> calls.log" }),
      call("a3", "files", { op: "list", path: "." }),
      call("a4", "files", { op: "read", path: "calls.log" }),
      { text: "finished" },
    ]);
    const ws = e2e.workspace(ttyAgent(mock.baseUrls.openai, ["sh", "files"]));
    const result = await runInTerminal(ws, "y\nn\nnot today\na\n");
    expect(result.code).toBe(0);
    expect(result.stdout.match(/approval needed/g)).toHaveLength(3);
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("approved\n");
    const denied = mock.requests[2]?.body as { messages: { role: string; content: string }[] };
    expect(denied.messages.at(-1)?.content).toContain("not today");
    expect(result.stdout).toContain("finished");
  });

  test("the question shows the whole arguments: padding cannot push what a call does past a cut (review 9b)", async () => {
    const padding = "x".repeat(400);
    const mock = await e2e.mock([
      call("p1", "sh", { command: `echo ${padding} > /dev/null; echo TAIL-SHOWN >> calls.log` }),
      { text: "finished" },
    ]);
    const ws = e2e.workspace(ttyAgent(mock.baseUrls.openai, ["sh"]));
    const result = await runInTerminal(ws, "n\n\n");
    expect(result.code).toBe(0);
    // Before, the question cut the arguments at 300 characters: `{"command":"echo xxx…`.
    expect(result.stdout).toContain(`${padding} > /dev/null; echo TAIL-SHOWN >> calls.log`);
  });

  test("a placeholder's real value is shown whole: a long e-mail domain is not cut (review 9b)", async () => {
    const email = `${"x".repeat(60)}@sub.${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.evil.example`;
    const mock = await e2e.mock(copyingModel("contacts.txt", "email", "mail"));
    const ws = e2e.workspace(ttyAgent(mock.baseUrls.openai, ["sh"]));
    ws.write("contacts.txt", `write to ${email}\n`);
    const result = await runInTerminal(ws, "n\n\n");
    expect(result.code).toBe(0);
    // Before, the value was cut at 200 characters, before the domain it goes to.
    expect(result.stdout).toMatch(new RegExp(`\\[PII:email:[0-9a-f]+\\] is ${email.replaceAll(".", "\\.")}`));
  });

  test("the prompt shows the real address behind a placeholder the model copied from redacted output", async () => {
    const mock = await e2e.mock(copyingModel("hosts.txt", "ip", "reach"));
    const ws = e2e.workspace(ttyAgent(mock.baseUrls.openai, ["sh"]));
    ws.write("hosts.txt", "db at 10.20.30.40\n");
    const result = await runInTerminal(ws, "y\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/echo reach \[PII:ip:[0-9a-f]+\] >> calls\.log/);
    expect(result.stdout).toMatch(/\[PII:ip:[0-9a-f]+\] is 10\.20\.30\.40/);
    expect(readFileSync(join(ws.dir, "calls.log"), "utf8")).toBe("reach 10.20.30.40\n");
  });
});

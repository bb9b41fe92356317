import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockDefaultsToml } from "../support/workspace.ts";

const fx = e2eFixture();

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Each profile node's frame names, from the node up to the root (a sampled stack). */
function stacks(nodes: ProfileNode[]): string[][] {
  const parent = new Map<number, ProfileNode>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node);
  return nodes.map((node) => {
    const names: string[] = [];
    for (let at: ProfileNode | undefined = node; at; at = parent.get(at.id)) {
      names.push(at.callFrame.functionName || at.callFrame.url);
    }
    return names;
  });
}

/** Bun's JS stream machinery: what node:crypto, node:net and process.stdout/stderr load. */
const STREAM_MODULE = /^(?:node:stream|internal:streams?\/.*|internal:stream)$/;

test("a run of the compiled binary (file tool, redaction, audit) loads neither node:crypto nor node:net, and the stream machinery only for its output", async () => {
  const mock = await fx.mock([{ text: "done" }]);
  const ws = fx.workspace(
    `${mockDefaultsToml(mock.baseUrls.openai, "a")}
[tools.read]
kind = "file"
root = "."

[audit]
path = "audit.jsonl"

[agents.a]
tools = ["read"]
mode = "auto"
`,
  );
  const profiles = join(ws.dir, "profiles");
  const result = await runBinary(
    ["run", "-c", ws.configPath, "-q", "a", "reach 2001:db8::7 or ops@example.com"],
    {
      cwd: ws.dir,
      env: {
        AGENTRY_STATE_DIR: ws.stateDir,
        BUN_OPTIONS: `--cpu-prof --cpu-prof-interval=20 --cpu-prof-dir=${profiles}`,
      },
      timeoutMs: 60_000,
    },
  );
  expect({ code: result.code, stdout: result.stdout.trim() }).toEqual({ code: 0, stdout: "done" });
  // The run did hash its audit chain and redact the prompt (HMAC placeholders) on the way.
  const audit = readFileSync(join(ws.dir, "audit.jsonl"), "utf8");
  expect(audit).toMatch(/\[PII:ip:[0-9a-f]{6}\]/);
  expect(audit).not.toContain("2001:db8::7");

  const [profile] = readdirSync(profiles);
  const nodes = (
    JSON.parse(readFileSync(join(profiles, profile as string), "utf8")) as { nodes: ProfileNode[] }
  ).nodes;
  const all = stacks(nodes);
  expect(all.length).toBeGreaterThan(20);
  expect(all.filter((names) => names[0] === "node:crypto" || names[0] === "node:net")).toEqual([]);
  // Streams load only when the answer is written (process.stdout's getter, after the response),
  // never on the way to the first request.
  const streamLoads = all.filter((names) => STREAM_MODULE.test(names[0] ?? ""));
  expect(
    streamLoads.filter((names) => !names.includes("get WriteStream") && !names.includes("get ReadStream")),
  ).toEqual([]);
});

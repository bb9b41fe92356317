import { afterEach, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runBinary } from "../../support/binary.ts";
import { makeWorkspace, type Workspace } from "../../support/workspace.ts";

const CONFIGS = join(import.meta.dir, "../../../configs");

/** One offline run per shipped configuration: arguments after `-c FILE`, and what the answer holds. */
const OFFLINE_RUNS: Record<string, { args: string[]; answer: string }[]> = {
  "demo.toml": [
    { args: ["run", "What is in the workspace, and what is left to do?"], answer: "two are left" },
  ],
  "full.toml": [
    {
      args: [
        "run",
        "summariser",
        "Summarise: agentry is a governed AI-agent runner that ships as one executable.",
      ],
      answer: "it ships as one executable",
    },
  ],
  "providers.toml": [{ args: ["run", "offline", "Say hello"], answer: "replayed from a cassette" }],
  "multi-agent/agentry.toml": [
    { args: ["run", "Summarise last night's alerts"], answer: "Incident report" },
    { args: ["schedule", "--once", "--only", "hourly-check"], answer: "All pods are running" },
  ],
};

/** Every top-level configuration under configs/ (included agent files excluded). */
function shippedConfigs(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "agents" && entry.name !== "workspace") walk(path);
      else if (entry.isFile() && entry.name.endsWith(".toml")) found.push(relative(CONFIGS, path));
    }
  };
  walk(CONFIGS);
  return found.sort();
}

let home: string | undefined;
let ws: Workspace | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  ws?.remove();
  home = ws = undefined;
});

describe("issue 12 item 3: shipped configurations", () => {
  test("every shipped configuration has an offline run here", () => {
    expect(Object.keys(OFFLINE_RUNS).sort()).toEqual(shippedConfigs());
  });

  for (const [file, runs] of Object.entries(OFFLINE_RUNS)) {
    for (const run of runs) {
      test(`${file}: \`${run.args.slice(0, 2).join(" ")}\` runs offline from its cassette`, async () => {
        home = mkdtempSync(join(tmpdir(), "agentry-configs-"));
        cpSync(CONFIGS, join(home, "configs"), { recursive: true });
        const config = join(home, "configs", file);
        const validate = await runBinary(["validate", "-c", config], { cwd: home, env: { HOME: home } });
        expect(validate.stderr).toBe("");
        expect(validate.code).toBe(0);
        const [command, ...rest] = run.args;
        const result = await runBinary([command as string, "-c", config, ...rest], {
          cwd: home,
          env: { HOME: home, AGENTRY_STATE_DIR: join(home, "state") },
        });
        expect(result.stderr).not.toContain("error");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(run.answer);
      });
    }
  }

  test("validate and doctor reject an old-format cassette exactly as run does", async () => {
    ws = makeWorkspace(`
[defaults]
agent = "a"
model = "replay/recorded"

[providers.replay]
kind = "replay"
cassette = "old.jsonl"

[agents.a]
instructions = "Answer."
`);
    ws.write(
      "old.jsonl",
      '{"turn":1,"events":[{"type":"text-delta","text":"hi"},{"type":"finish","reason":"stop"}]}\n',
    );
    const env = { AGENTRY_STATE_DIR: ws.stateDir };
    const run = await runBinary(["run", "-c", ws.configPath, "hi"], { cwd: ws.dir, env });
    const validate = await runBinary(["validate", "-c", ws.configPath], { cwd: ws.dir, env });
    const doctor = await runBinary(["doctor", "-c", ws.configPath], { cwd: ws.dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not an agentry cassette");
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain("not an agentry cassette");
    expect(validate.stderr).toContain("providers.replay.cassette");
    expect(doctor.code).toBe(2);
    expect(doctor.stdout + doctor.stderr).toContain("not an agentry cassette");
  });
});

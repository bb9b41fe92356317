// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text holds ${VAR} references literally
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";

const root = mkdtempSync(join(tmpdir(), "config-commands-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CONFIGS = join(import.meta.dir, "../../configs");

describe("agentry validate", () => {
  test("prints a summary on stdout and exits 0", async () => {
    const result = await runBinary(["validate", "-c", "multi-agent/agentry.toml"], { cwd: CONFIGS });
    expect(result.stdout).toBe(
      "ok: multi-agent/agentry.toml: 4 agents, 2 tools, 1 provider, 2 flows, 2 schedules\n",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
  test("a missing -c file is a usage error with a hint", async () => {
    const result = await runBinary(["validate", "-c", "nope.toml"], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("configuration file not found: nope.toml");
    expect(result.stderr).toContain("agentry init");
  });
});

describe("agentry agents", () => {
  test("lists agents and flows", async () => {
    const result = await runBinary(["agents", "-c", "multi-agent/agentry.toml"], { cwd: CONFIGS });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^AGENT\s+MODEL\s+MODE\s+TOOLS\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(
      /^collector\s+replay\/recorded\s+readonly\s+sh\s+Collects the state of the cluster$/,
    );
    expect(result.stdout).toMatch(/\nFLOW\s+KIND\s+STEPS\s+DESCRIPTION\n/);
    expect(result.stdout).toMatch(
      /incident \(default\)\s+sequence\s+collector, parallel\(logs, metrics\), reporter/,
    );
  });
});

describe("agentry init", () => {
  test("writes a starter that validates, and refuses to overwrite without --force", async () => {
    const dir = mkdtempSync(join(root, "init-"));
    const first = await runBinary(["init"], { cwd: dir });
    expect(first.code).toBe(0);
    const written = readFileSync(join(dir, "agentry.toml"), "utf8");
    expect(written).toContain("${OPENAI_API_KEY}");
    expect(written).toContain('sandbox = "workspace-write"');
    const check = await runBinary(["validate"], { cwd: dir, env: { OPENAI_API_KEY: undefined } });
    expect(check.stdout).toBe("ok: agentry.toml: 1 agent, 3 tools, 2 providers, 0 flows, 0 schedules\n");
    expect(check.code).toBe(0);
    writeFileSync(join(dir, "agentry.toml"), "# mine\n");
    const again = await runBinary(["init"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists");
    expect(readFileSync(join(dir, "agentry.toml"), "utf8")).toBe("# mine\n");
    const forced = await runBinary(["init", "agentry.toml", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "agentry.toml"), "utf8")).toBe(written);
  });
});

describe("agentry doctor", () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  async function listen(): Promise<number> {
    const created = createServer((_req, res) => {
      res.statusCode = 404;
      res.end("no");
    });
    server = created;
    await new Promise<void>((resolve) => created.listen(0, "127.0.0.1", resolve));
    return (created.address() as AddressInfo).port;
  }

  /** A port nothing listens on: bind, read the number, close. */
  async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  function writeConfig(dir: string, up: number, down: number): void {
    writeFileSync(
      join(dir, "agentry.toml"),
      `[defaults]
model = "up/m"
[providers.up]
kind = "openai-compatible"
base_url = "http://127.0.0.1:${up}/v1"
api_key = "\${DOCTOR_KEY}"
[providers.down]
kind = "openai-compatible"
base_url = "\${DOWN_URL:-http://127.0.0.1:${down}/v1}"
[providers.rec]
kind = "replay"
cassette = "${join(CONFIGS, "cassettes/example.jsonl")}"
[tools.web]
kind = "http"
allow_hosts = ["api.example.com"]
headers = { Authorization = "Bearer \${DOCTOR_TOKEN}" }
[agents.a]
instructions = "x"
`,
    );
  }

  test("all good: exit 0", async () => {
    const dir = mkdtempSync(join(root, "doctor-ok-"));
    const up = await listen();
    writeConfig(dir, up, await closedPort());
    const result = await runBinary(["doctor"], {
      cwd: dir,
      env: {
        DOCTOR_KEY: "k-SECRETVALUE",
        DOCTOR_TOKEN: "t-SECRETVALUE",
        DOWN_URL: `http://127.0.0.1:${up}`,
      },
    });
    expect(result.stdout).toContain("all checks passed");
    expect(result.stdout).not.toContain("SECRETVALUE");
    expect(result.code).toBe(0);
  });

  test("an unset variable and an unreachable provider fail without printing values", async () => {
    const dir = mkdtempSync(join(root, "doctor-fail-"));
    const address = server?.address() as AddressInfo | null | undefined;
    const up = address ? address.port : await listen();
    writeConfig(dir, up, await closedPort());
    const result = await runBinary(["doctor"], { cwd: dir, env: { DOCTOR_KEY: "k-SECRETVALUE" } });
    const lines = result.stdout.split("\n");
    expect(lines).toContain("ok    configuration agentry.toml loads (1 file)");
    expect(lines).toContain("ok    ${DOCTOR_KEY} is set (used by providers.up.api_key)");
    expect(lines).toContain("FAIL  ${DOCTOR_TOKEN} is not set (used by tools.web.headers.Authorization)");
    expect(lines).toContain(
      "ok    ${DOWN_URL} is not set; its default is used (used by providers.down.base_url)",
    );
    expect(result.stdout).toContain(
      `ok    provider up (openai-compatible): http://127.0.0.1:${up}/v1 is reachable (HTTP 404)`,
    );
    expect(result.stdout).toMatch(
      /FAIL {2}provider down \(openai-compatible\): .* is unreachable \(ECONNREFUSED\)/,
    );
    expect(result.stdout).toContain("ok    provider rec (replay): cassette");
    expect(result.stdout).toContain("2 checks failed");
    expect(result.stdout).not.toContain("SECRETVALUE");
    expect(result.stderr).not.toContain("SECRETVALUE");
    expect(result.code).toBe(1);
  });

  test("an invalid configuration exits 2", async () => {
    const dir = mkdtempSync(join(root, "doctor-bad-"));
    writeFileSync(join(dir, "agentry.toml"), "[defaults]\nmax_turns = 0\n");
    const result = await runBinary(["doctor"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("defaults.max_turns: out of range");
  });
});

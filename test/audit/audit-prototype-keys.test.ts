import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/index.ts";
import { runBinary } from "../support/binary.ts";

const dir = mkdtempSync(join(tmpdir(), "agentry-audit-proto-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeLog(name: string, args: unknown): Promise<string> {
  const path = join(dir, name);
  const log = openAuditLog(path, { clock: () => new Date("2025-05-06T07:08:09.000Z") });
  log.append({ type: "run_start", run_id: "r1", agent: "ops", model: "replay/demo" });
  log.append({
    type: "tool_call",
    run_id: "r1",
    agent: "ops",
    call_id: "c1",
    tool: "sh",
    args,
    decision: "executed",
    ok: true,
    output: "fine",
    duration_ms: 2,
  });
  log.append({ type: "run_end", run_id: "r1", agent: "ops", status: "ok", stop_reason: "answer" });
  await log.close();
  return path;
}

function editLine(path: string, index: number, edit: (line: string) => string): void {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  lines[index] = edit(lines[index] as string);
  writeFileSync(path, `${lines.join("\n")}\n`);
}

const verify = (path: string) => runBinary(["audit", "verify", path], { timeoutMs: 15_000 });

describe("agentry audit verify: injected prototype members (issue 11 item 18)", () => {
  test.each([
    ["a top-level __proto__ member", (l: string) => l.replace("{", '{"__proto__":{"ok":false},')],
    ["a __proto__ member inside args", (l: string) => l.replace('"args":{', '"args":{"__proto__":{"n":9},')],
    ["a trailing __proto__ member", (l: string) => l.replace(/}$/, ',"__proto__":{"decision":"denied"}}')],
    ["a constructor member", (l: string) => l.replace("{", '{"constructor":{"name":"x"},')],
    ["a prototype member", (l: string) => l.replace("{", '{"prototype":1,')],
    ["a duplicated member shadowed by the original", (l: string) => l.replace("{", '{"decision":"denied",')],
    ["extra whitespace", (l: string) => l.replace('"ok":true', '"ok": true')],
  ])("%s fails verification at its line (exit 1)", async (_name, edit) => {
    const path = await writeLog(`${_name.replace(/\W+/g, "-")}.jsonl`, { command: "ls" });
    expect((await verify(path)).code).toBe(0);
    editLine(path, 1, edit);
    const result = await verify(path);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("line 2:");
  });

  test("arguments that really hold __proto__ and constructor keys are kept on the line and verify", async () => {
    const args = JSON.parse('{"__proto__":{"polluted":true},"constructor":"c","prototype":[1]}');
    const path = await writeLog("legit.jsonl", args);
    const line = readFileSync(path, "utf8").split("\n")[1] as string;
    expect(line).toContain('"args":{"__proto__":{"polluted":true},"constructor":"c","prototype":[1]}');
    const result = await verify(path);
    expect(result.stdout).toBe("ok: 3 records, 1 runs\n");
    expect(result.code).toBe(0);
    editLine(path, 1, (l) => l.replace('{"polluted":true}', '{"polluted":false}'));
    expect((await verify(path)).code).toBe(1);
  });
});

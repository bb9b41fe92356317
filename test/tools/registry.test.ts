import { describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { z } from "zod";
import type { Tool } from "../../src/spec/tool.ts";
import { createBuiltinTool, parametersJsonSchema, toolSchemaOf } from "../../src/tools/registry.ts";
import { agentTaskParameters } from "../../src/tools/sub-agent/agent-definition.ts";

describe("tool registry", () => {
  test("a fresh copy of the registry builds every kind: it keeps no state that must be loaded first", async () => {
    const fresh = await import(`../../src/tools/registry.ts?fresh=${Date.now()}`);
    expect((await fresh.createBuiltinTool("sh", { kind: "shell" }))?.name).toBe("sh");
  });

  test("builds shell, http and file tools under their config names", async () => {
    const shell = await createBuiltinTool("sh", { kind: "shell", allow: ["git *"] });
    const web = await createBuiltinTool("web", { kind: "http", methods: ["GET"] });
    const files = await createBuiltinTool("files", { kind: "file", root: tmpdir() });
    expect([shell?.name, web?.name, files?.name]).toEqual(["sh", "web", "files"]);
    expect([shell?.readOnly, web?.readOnly, files?.readOnly]).toEqual([false, true, true]);
    expect(shell?.description).toContain("Allowed commands (globs, * matches anything): git *");
  });

  test("agent and delegate are left to the agent layer", async () => {
    expect(await createBuiltinTool("researcher", { kind: "agent", agent: "r" })).toBeUndefined();
    expect(await createBuiltinTool("delegate", { kind: "delegate" })).toBeUndefined();
  });

  test("an invalid tool name is a configuration error", async () => {
    await expect(createBuiltinTool("agent:x", { kind: "shell" })).rejects.toThrow(
      'invalid tool name "agent:x"',
    );
  });

  test("secrets resolved from environment references are reported through onSecrets", async () => {
    const seen: string[] = [];
    await createBuiltinTool(
      "web",
      { kind: "http", headers: { "X-Key": "key-$" + "{K}" } },
      { env: { K: "v4lue" }, onSecrets: (values) => seen.push(...values) },
    );
    expect(seen).toEqual(["v4lue"]);
  });

  test("toolSchemaOf gives the model an object JSON Schema without noise", async () => {
    const shell = (await createBuiltinTool("sh", { kind: "shell" })) as Tool;
    const schema = toolSchemaOf(shell);
    expect(schema.name).toBe("sh");
    expect(schema.parameters).toEqual({
      type: "object",
      properties: { command: expect.objectContaining({ type: "string" }) },
      required: ["command"],
    });
    expect(
      JSON.stringify(toolSchemaOf((await createBuiltinTool("f", { kind: "file", root: tmpdir() })) as Tool)),
    ).not.toContain("9007199254740991");
    expect(parametersJsonSchema(agentTaskParameters())).toMatchObject({ type: "object", required: ["task"] });
  });

  test("non-object parameter schemas are rejected", () => {
    expect(() => parametersJsonSchema(z.string())).toThrow("zod object schema");
  });
});

import { beforeAll, describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { z } from "zod";
import type { Tool } from "../../src/spec/tool.ts";
import {
  agentTaskParameters,
  createBuiltinTool,
  loadToolKinds,
  parametersJsonSchema,
  toolSchemaOf,
} from "../../src/tools/registry.ts";

beforeAll(() => loadToolKinds(["shell", "http", "file"]));

describe("tool registry", () => {
  test("a kind whose code was not loaded cannot be built by mistake", async () => {
    const fresh = await import(`../../src/tools/registry.ts?fresh=${Date.now()}`);
    expect(() => fresh.createBuiltinTool("sh", { kind: "shell" })).toThrow("not loaded");
  });

  test("builds shell, http and file tools under their config names", () => {
    const shell = createBuiltinTool("sh", { kind: "shell", allow: ["git *"] });
    const web = createBuiltinTool("web", { kind: "http", methods: ["GET"] });
    const files = createBuiltinTool("files", { kind: "file", root: tmpdir() });
    expect([shell?.name, web?.name, files?.name]).toEqual(["sh", "web", "files"]);
    expect([shell?.readOnly, web?.readOnly, files?.readOnly]).toEqual([false, true, true]);
    expect(shell?.description).toContain("Allowed commands (globs, * matches anything): git *");
  });

  test("agent and delegate are left to the agent layer", () => {
    expect(createBuiltinTool("researcher", { kind: "agent", agent: "r" })).toBeUndefined();
    expect(createBuiltinTool("delegate", { kind: "delegate" })).toBeUndefined();
  });

  test("an invalid tool name is a configuration error", () => {
    expect(() => createBuiltinTool("agent:x", { kind: "shell" })).toThrow('invalid tool name "agent:x"');
  });

  test("secrets resolved from environment references are reported through onSecrets", () => {
    const seen: string[] = [];
    createBuiltinTool(
      "web",
      { kind: "http", headers: { "X-Key": "key-$" + "{K}" } },
      { env: { K: "v4lue" }, onSecrets: (values) => seen.push(...values) },
    );
    expect(seen).toEqual(["v4lue"]);
  });

  test("toolSchemaOf gives the model an object JSON Schema without noise", () => {
    const shell = createBuiltinTool("sh", { kind: "shell" }) as Tool;
    const schema = toolSchemaOf(shell);
    expect(schema.name).toBe("sh");
    expect(schema.parameters).toEqual({
      type: "object",
      properties: { command: expect.objectContaining({ type: "string" }) },
      required: ["command"],
    });
    expect(
      JSON.stringify(toolSchemaOf(createBuiltinTool("f", { kind: "file", root: tmpdir() }) as Tool)),
    ).not.toContain("9007199254740991");
    expect(parametersJsonSchema(agentTaskParameters)).toMatchObject({ type: "object", required: ["task"] });
  });

  test("non-object parameter schemas are rejected", () => {
    expect(() => parametersJsonSchema(z.string())).toThrow("zod object schema");
  });
});

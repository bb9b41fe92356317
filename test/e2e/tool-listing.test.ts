import { describe, expect, test } from "bun:test";
import { runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { mockDefaultsToml } from "../support/workspace.ts";

const fx = e2eFixture();

interface ShownTool {
  name: string;
  description: string;
  parameters: unknown;
}

interface OpenAiTool {
  type: "function";
  function: ShownTool;
}

describe("agentry tools shows exactly what the model is given (compiled binary)", () => {
  test("agent:NAME, kind = agent and delegate tools: names, descriptions and JSON schemas match the request's tools", async () => {
    const mock = await fx.mock([{ text: "done" }]);
    const ws = fx.workspace(`${mockDefaultsToml(mock.baseUrls.openai, "lead")}
[tools.sh]
kind = "shell"
allow = ["git *"]

[tools.ask_writer]
kind = "agent"
agent = "writer"
description = "Ask the writer for prose"

[tools.ask_researcher]
kind = "agent"
agent = "researcher"

[tools.helper]
kind = "delegate"
tools = ["sh", "ask_researcher"]
max_turns = 3

[tools.free_helper]
kind = "delegate"

[agents.lead]
tools = ["sh", "agent:researcher", "agent:writer", "ask_writer", "ask_researcher", "helper", "free_helper"]

[agents.researcher]
description = "Finds things out"

[agents.writer]
`);
    const env = { AGENTRY_STATE_DIR: ws.stateDir };
    const run = await runBinary(["run", "lead", "hello", "-c", ws.configPath], { cwd: ws.dir, env });
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    const body = mock.requests[0]?.body as { tools?: OpenAiTool[] } | undefined;
    const sent = (body?.tools ?? []).map((tool) => ({
      name: tool.function.name,
      description: tool.function.description,
      parameters: tool.function.parameters,
    }));

    const listed = await runBinary(["tools", "lead", "--json", "-c", ws.configPath], { cwd: ws.dir, env });
    expect(listed.code).toBe(0);
    const shown = (JSON.parse(listed.stdout) as ShownTool[]).map(({ name, description, parameters }) => ({
      name,
      description,
      parameters,
    }));

    expect(sent.map((tool) => tool.name)).toEqual([
      "sh",
      "agent_researcher",
      "agent_writer",
      "ask_writer",
      "ask_researcher",
      "helper",
      "free_helper",
    ]);
    expect(shown).toEqual(sent);
    expect(shown[1]?.parameters).toMatchObject({ properties: { task: { type: "string", minLength: 1 } } });
    expect(shown[5]?.description).toContain("It can use: sh, ask_researcher. At most 3 turns each.");
    expect(shown[6]?.parameters).toMatchObject({ required: ["goal"] });
  });
});

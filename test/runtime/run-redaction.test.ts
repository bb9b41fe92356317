import { expect, test } from "bun:test";
import { parse } from "smol-toml";
import { type Config, configSchema } from "../../src/config/schema.ts";
import { runRedactionPolicy } from "../../src/runtime/run-redaction.ts";

function config(toml: string): Config {
  return configSchema.parse(parse(toml));
}

const TREE = config(`
[defaults]
model = "m/x"

[tools.ask_helper]
kind = "agent"
agent = "helper"

[mcp.srv]
command = "srv"
policy = { redact = { patterns = ["SRV-[0-9]+"] } }

[agents.parent]
tools = ["agent:child", "ask_helper"]
policy = { redact = { pii = false } }

[agents.child]
tools = ["agent:parent"]
policy = { redact = { pii = false, patterns = ["ACME-[0-9]{6}"] } }

[agents.helper]
tools = ["mcp:srv"]
policy = { redact = { pii = false, patterns = ["HLP-[a-z]+"] } }

[agents.alone]
policy = { redact = { pii = false } }

[agents.careful]

[flows.both]
kind = "sequence"
steps = ["alone", { parallel = ["careful"] }]
`);

test("a run's redaction joins the policies of every agent and MCP server it can reach (review 8)", () => {
  const parent = TREE.agents?.["parent"]?.policy?.redact;
  expect(runRedactionPolicy(TREE, "parent", parent)).toEqual({
    pii: false,
    patterns: ["ACME-[0-9]{6}", "HLP-[a-z]+", "SRV-[0-9]+"],
  });
  expect(runRedactionPolicy(TREE, "alone", { pii: false })).toEqual({ pii: false, patterns: [] });
});

test("personal data is redacted when any reachable agent asks for it, the default included", () => {
  expect(runRedactionPolicy(TREE, "both", undefined).pii).toBe(true);
  const flowOfCarefree = config(`
[defaults]
model = "m/x"
policy = { redact = { pii = false } }
[agents.a]
[flows.f]
kind = "sequence"
steps = ["a"]
`);
  expect(runRedactionPolicy(flowOfCarefree, "f", { pii: false }).pii).toBe(false);
});

import { type MockProvider, type MockRequest, startMockProvider } from "../../src/testing/index.ts";
import { makeWorkspace, type Workspace } from "./workspace.ts";

/** PII and a secret the observed run handles; neither may appear in records, reports or spans. */
export const OBSERVED_SECRETS = { email: "jane.doe@example.com", token: "sk-observed-9f8e7d6c5b4a39281706" };

interface Body {
  messages: { role: string; content: string | null }[];
}

const systemOf = (request: MockRequest) =>
  (request.body as Body).messages.find((m) => m.role === "system")?.content ?? "";
const lastRole = (request: MockRequest) => (request.body as Body).messages.at(-1)?.role;

/**
 * A run worth looking at: the lead agent's first request is rate limited once (429, retried), then
 * it calls two sub-agents in parallel and a shell command that policy denies, and answers.
 */
export async function startObservedRun(
  extraConfig = "",
  subAgentLatencyMs = 0,
): Promise<{ mock: MockProvider; ws: Workspace }> {
  let limited = false;
  const mock = await startMockProvider({
    turns: (request) => {
      const system = systemOf(request);
      if (system.includes("LEAD")) {
        if (lastRole(request) === "user") {
          return {
            toolCalls: [
              {
                id: "call_alpha",
                name: "agent_alpha",
                arguments: { task: `mail ${OBSERVED_SECRETS.email}` },
              },
              { id: "call_beta", name: "agent_beta", arguments: { task: "count the files" } },
              { id: "call_rm", name: "sh", arguments: { command: "rm -rf build" } },
            ],
            usage: { inputTokens: 120, outputTokens: 30 },
          };
        }
        return {
          text: `all done for ${OBSERVED_SECRETS.email}`,
          usage: { inputTokens: 300, outputTokens: 12 },
        };
      }
      if (system.includes("ALPHA"))
        return { text: "alpha sent the mail", usage: { inputTokens: 40, outputTokens: 8 } };
      return { text: "beta counted 3 files", usage: { inputTokens: 41, outputTokens: 9 } };
    },
    faults: (request) => {
      if (!systemOf(request).includes("LEAD"))
        return subAgentLatencyMs ? { latencyMs: subAgentLatencyMs } : undefined;
      if (limited) return undefined;
      limited = true;
      return { status: 429, headers: { "retry-after": "0" } };
    },
  });
  const ws = makeWorkspace(`
[defaults]
agent = "lead"
model = "mock/m1"
max_turns = 6
budget = { usd = 5.0 }

[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
api_key = "\${OBSERVED_KEY}"
retries = 2

[tools.sh]
kind = "shell"

[audit]
path = "audit.jsonl"

[agents.lead]
instructions = "LEAD"
mode = "auto"
tools = ["agent:alpha", "agent:beta", "sh"]
policy = { approval = { deny = ["sh:rm *"] } }

[agents.alpha]
instructions = "ALPHA"

[agents.beta]
instructions = "BETA"
${extraConfig}`);
  return { mock, ws };
}

/** The environment of an observed run: its state dir and the provider key (a secret). */
export function observedEnv(
  ws: Workspace,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return { AGENTRY_STATE_DIR: ws.stateDir, OBSERVED_KEY: OBSERVED_SECRETS.token, ...extra };
}

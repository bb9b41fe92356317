import type { Command } from "commander";

/** What each exit code means, as `--help` lists it. */
const EXIT_MEANINGS: Record<number, string> = {
  0: "success",
  1: "the agent failed (tool or model error, max turns, loop detected); for checks: a check failed",
  2: "usage or configuration error (also: a typo of an agent name, a missing prompt)",
  3: "stopped by policy (budget exhausted; with --fail-on-refusal, any refused call)",
  4: "provider unreachable or credentials rejected",
  5: "awaiting approval (--approve defer: agentry approvals, then agentry resume RUN_ID)",
  130: "interrupted (Ctrl-C): tools killed, audit flushed, state saved",
  141: "the reader of stdout went away (… | head -1)",
};

const RUN_EXITS = [0, 1, 2, 3, 4, 5, 130, 141];
const CONFIG_EXITS = [0, 2];

/** The examples and exit codes `--help` shows after the options of each command. */
interface CommandHelp {
  examples: string[];
  exits: number[];
}

/** Keyed by the command path (`runs show`); the root program is "". */
const HELP: Record<string, CommandHelp> = {
  "": {
    examples: [
      'OPENAI_API_KEY=… agentry run "Summarise README.md"       # no configuration file needed',
      'agentry run --tools file "What does this project do?"     # read-only file access here',
      "agentry init && agentry validate                          # a configuration file with agents",
      'agentry run ops "Why did the deploy fail?" > answer.txt   # stdout carries only the answer',
      "agentry COMMAND --help                                    # examples and exit codes of COMMAND",
    ],
    exits: RUN_EXITS,
  },
  run: {
    examples: [
      'agentry run "What is in this directory?"                 # [defaults].agent, or zero-config assistant',
      'agentry run ops "Why did the 03:00 deploy fail?"         # a named agent or flow',
      'agentry run -a ops "ops status"                          # -a: every word is prompt text',
      "agentry run -- demoo is a word here                      # after --: every word is prompt text",
      'agentry run --continue "and the second point?"           # the last conversation of this directory',
      'agentry run --model openai/gpt-4.1 --tools file,shell "…" # zero-config: model and built-in tools',
      'agentry run --json ops "…" | jq .answer                  # only the run_end object on stdout',
      'agentry run --disallowed-tools "sh,agent_*" ops "…"      # narrow the tools (never widens)',
      "git diff | agentry run review -                           # the prompt from stdin",
      'agentry run -C ../other --approve defer ops "…"          # as if started in ../other; exit 5',
    ],
    exits: RUN_EXITS,
  },
  chat: {
    examples: [
      "agentry chat                               # [defaults].agent, or the zero-config assistant",
      "agentry chat ops --session incident-42     # a named, resumable conversation",
      "agentry chat --continue                    # the last conversation of this directory",
      "agentry chat --tools file,shell            # zero-config: built-in tools (shell asks first)",
    ],
    exits: [0, 2, 130],
  },
  batch: {
    examples: [
      "agentry batch jobs.jsonl --concurrency 20 > results.jsonl",
      'printf \'{"id":"1","agent":"ops","prompt":"hi"}\\n\' | agentry batch -',
    ],
    exits: [0, 1, 2, 3, 130, 141],
  },
  resume: {
    examples: ["agentry approvals list", "agentry approvals approve APPROVAL_ID && agentry resume RUN_ID"],
    exits: RUN_EXITS,
  },
  approvals: {
    examples: [
      "agentry approvals list",
      'agentry approvals deny APPROVAL_ID --reason "not on a Friday"',
      "agentry approvals approve APPROVAL_ID --queue redis://localhost:6379",
    ],
    exits: CONFIG_EXITS,
  },
  serve: {
    examples: ["agentry serve", "agentry serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem"],
    exits: [0, 2, 130],
  },
  submit: {
    examples: [
      "agentry submit jobs.jsonl --queue redis://localhost:6379",
      "agentry submit jobs.jsonl --wait > results.jsonl",
    ],
    exits: [0, 1, 2, 130],
  },
  worker: {
    examples: ["agentry worker --queue redis://localhost:6379 --concurrency 8"],
    exits: [0, 2, 130],
  },
  jobs: {
    examples: ["agentry jobs list --json", "agentry jobs show JOB_ID", "agentry jobs cancel JOB_ID"],
    exits: [0, 1, 2],
  },
  validate: {
    examples: [
      "agentry validate                      # ./agentry.toml, AGENTRY_CONFIG, the user file, or zero-config",
      "agentry validate -c agents/prod.toml",
    ],
    exits: CONFIG_EXITS,
  },
  agents: {
    examples: ["agentry agents", "agentry agents --json | jq '.[].name'"],
    exits: CONFIG_EXITS,
  },
  tools: {
    examples: ["agentry tools", "agentry tools ops --json"],
    exits: CONFIG_EXITS,
  },
  audit: {
    examples: ["agentry audit verify", "agentry audit show --run RUN_ID"],
    exits: [0, 1, 2],
  },
  "audit verify": {
    examples: ["agentry audit verify", "agentry audit verify /var/log/agentry/audit.jsonl"],
    exits: [0, 1, 2],
  },
  "audit show": {
    examples: ["agentry audit show --run RUN_ID", "agentry audit show --tool sh"],
    exits: CONFIG_EXITS,
  },
  runs: {
    examples: ["agentry runs list", "agentry runs show RUN_ID", "agentry runs report RUN_ID -o run.html"],
    exits: CONFIG_EXITS,
  },
  "runs list": {
    examples: ["agentry runs list --status failed --since 2h", "agentry runs list --json"],
    exits: CONFIG_EXITS,
  },
  "runs show": {
    examples: ["agentry runs show RUN_ID", "agentry runs show --follow RUN_ID"],
    exits: CONFIG_EXITS,
  },
  "runs report": {
    examples: ["agentry runs report RUN_ID -o run.html"],
    exits: CONFIG_EXITS,
  },
  schedule: {
    examples: ["agentry schedule", "agentry schedule --once --only nightly"],
    exits: [0, 2, 130],
  },
  mcp: {
    examples: ["agentry mcp serve -c agentry.toml"],
    exits: [0, 2, 130],
  },
  "mcp serve": {
    examples: ["agentry mcp serve -c agentry.toml --approve deny"],
    exits: [0, 2, 130],
  },
  sandbox: {
    examples: ["agentry sandbox check", "agentry sandbox check sh"],
    exits: [0, 1, 2],
  },
  "sandbox check": {
    examples: [
      "agentry sandbox check            # every sandboxed tool and MCP server",
      "agentry sandbox check mcp:github",
    ],
    exits: [0, 1, 2],
  },
  init: {
    examples: [
      "agentry init                                        # a commented starter agentry.toml",
      "agentry init --from-env --tools file                # what a run without a configuration uses",
      "agentry init --from-env --model openai/gpt-4.1 -    # print it instead of writing it",
    ],
    exits: CONFIG_EXITS,
  },
  doctor: {
    examples: ["agentry doctor", "agentry doctor -c agents/prod.toml"],
    exits: [0, 1, 2],
  },
  version: {
    examples: ["agentry version", "agentry --version"],
    exits: [0],
  },
};

/** The text after the options: examples, then the command's exit codes. */
export function helpAfterOptions(path: string): string | undefined {
  const help = HELP[path];
  return help && helpFor(help.examples, help.exits);
}

/** The command path of `command` (`runs show`), without the program's name. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/**
 * Adds examples and exit codes to the `--help` of `program` and every command below it that has
 * an entry here; a command added later (by another module) can pass its own with `helpFor`.
 */
export function addExamplesAndExitCodes(program: Command): void {
  const visit = (command: Command) => {
    const text = helpAfterOptions(commandPath(command));
    if (text) command.addHelpText("after", text);
    for (const child of command.commands) visit(child);
  };
  visit(program);
}

/** The help text of a command not listed here (e.g. `chat`): its examples and exit codes. */
export function helpFor(examples: string[], exits: number[] = RUN_EXITS): string {
  const lines = examples.map((line) => `  ${line}`).join("\n");
  const codes = exits.map((code) => `  ${String(code).padEnd(4)} ${EXIT_MEANINGS[code] ?? ""}`).join("\n");
  return `\nExamples:\n${lines}\n\nExit codes:\n${codes}\n`;
}

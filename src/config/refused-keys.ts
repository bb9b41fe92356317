import { describeFound } from "./describe-value.ts";
import type { IssueFields } from "./issue-report.ts";
import { isTable, type KeyPath } from "./key-path.ts";

type Refusal = (tool: Record<string, unknown>, at: KeyPath) => Omit<IssueFields, "found">;

/** Why each tool kind without a `read_only` key refuses one, and what to write instead. */
const READ_ONLY_REFUSALS: Record<string, Refusal> = {
  agent: (tool, at) => ({
    message:
      'a tool of kind "agent" takes no read_only key: the sub-agent it runs uses its own tools, which may write whatever the key says, so agentry always treats the tool as read-write (mode = "readonly" never runs it)',
    expected: `no read_only key (to keep the sub-agent from writing, give ${typeof tool["agent"] === "string" ? `agent ${describeFound(tool["agent"], [...at, "agent"])}` : "the agent it runs"} mode = "readonly" or only read-only tools)`,
  }),
  delegate: () => ({
    message:
      'a tool of kind "delegate" takes no read_only key: its sub-agents use the tools of the agent that delegates, which may write whatever the key says, so agentry always treats the tool as read-write (mode = "readonly" never runs it)',
    expected:
      "no read_only key (to keep the sub-agents from writing, list only read-only tools in its tools = [...])",
  }),
  file: () => ({
    message:
      'a tool of kind "file" takes no read_only key: the write key decides it (a file tool is read-only unless write = true)',
    expected:
      "no read_only key (write = true lets the tool write; without write, or with write = false, it is read-only)",
  }),
};

/**
 * The worded issue for a key that a table of this kind refuses on purpose, because honouring it
 * would promise what agentry cannot hold: `read_only` on an `agent`, `delegate` or `file` tool
 * (only shell and http tools take it; see `readOnlyClaim` in schema.ts). `table` is the path of
 * the table holding `key`, `value` that table's raw value. Undefined for any other unknown key,
 * which is reported as unknown.
 */
export function refusedKeyIssue(table: KeyPath, key: string, value: unknown): IssueFields | undefined {
  if (key !== "read_only" || table.length !== 2 || table[0] !== "tools" || !isTable(value)) return undefined;
  const kind = value["kind"];
  const refusal =
    typeof kind === "string" && Object.hasOwn(READ_ONLY_REFUSALS, kind)
      ? READ_ONLY_REFUSALS[kind]
      : undefined;
  if (!refusal) return undefined;
  const at = [...table, key];
  return { ...refusal(value, table), found: `read_only = ${describeFound(value[key], at)}` };
}

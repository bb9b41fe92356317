import { hasReferences } from "./interpolate.ts";
import type { SemanticInput } from "./issue-report.ts";

/**
 * An `http` tool whose `headers` take a value from a `${VAR}` must list `allow_hosts`. Configured
 * headers go to whatever origin the model's URL names (docs/TOOLS.md), so without a host list a
 * prompt-injected model could send the secret to a server of its choosing: refused (fail closed)
 * rather than sent. Literal header values (`User-Agent = "…"`) are not secrets and need no list.
 */
export function checkHttpSecrets({ config, report }: SemanticInput): void {
  for (const [name, tool] of Object.entries(config.tools ?? {})) {
    if (tool.kind !== "http" || tool.allow_hosts !== undefined) continue;
    const secret = Object.entries(tool.headers ?? {}).find(([, value]) => hasReferences(value));
    if (!secret) continue;
    report(["tools", name, "headers", secret[0]], {
      message: `header "${secret[0]}" holds a secret from a variable, and the tool may be pointed at any public host`,
      expected: `allow_hosts = ["api.example.com"] naming the hosts that may receive it`,
      found: "no allow_hosts",
    });
  }
}

import { canonicalJson } from "../audit/canonical-json.ts";

/**
 * The text approval patterns (`tool:argglob`) are matched against: a shell call's `command`, an
 * HTTP call's `METHOD url`, a file call's `op path`, else the canonical JSON of the arguments.
 */
export function primaryArgument(args: Record<string, unknown>): string {
  if (typeof args["command"] === "string") return args["command"];
  if (typeof args["url"] === "string") {
    const method = typeof args["method"] === "string" ? args["method"].toUpperCase() : "GET";
    return `${method} ${args["url"]}`;
  }
  if (typeof args["op"] === "string" && typeof args["path"] === "string")
    return `${args["op"]} ${args["path"]}`;
  return canonicalJson(args);
}

import type { z } from "zod";
import type { ConfigIssue } from "../spec/errors.ts";
import { describeFound, oneOf } from "./describe-value.ts";
import { formatKeyPath, isTable, type KeyPath, type PathSegment, valueAt } from "./key-path.ts";
import { refusedKeyIssue } from "./refused-keys.ts";
import { allowedKeysAt, describeExpected, schemaAt } from "./schema-introspect.ts";
import { suggest } from "./suggest.ts";
import type { SourceLocator } from "./toml-locator.ts";

/** What mapping zod issues needs: the parsed document, its schema and where its text lives. */
export interface IssueContext {
  file: string;
  raw: unknown;
  schema: z.core.$ZodType;
  locator: SourceLocator;
}

type ZodIssue = z.core.$ZodIssue;

const NAME_EXPECTED = 'a name of letters, digits, "_" and "-" (1 to 64 characters)';

/**
 * Turns zod's issues into located, worded configuration issues (one zod issue may give several).
 * An unknown key that its table refuses on purpose (`refused-keys.ts`) is worded with the reason.
 */
export function issuesFromZod(issues: readonly ZodIssue[], ctx: IssueContext): ConfigIssue[] {
  return issues.flatMap((issue) => mapIssue(issue, [], ctx));
}

function make(
  ctx: IssueContext,
  path: KeyPath,
  prefer: "key" | "value",
  fields: Omit<ConfigIssue, "file" | "path" | "line" | "column">,
): ConfigIssue {
  const position = ctx.locator.locate(path, prefer);
  const issue: ConfigIssue = { file: ctx.file, path: formatKeyPath(path), message: fields.message };
  if (position) {
    issue.line = position.line;
    issue.column = position.column;
  }
  if (fields.expected !== undefined) issue.expected = fields.expected;
  if (fields.found !== undefined) issue.found = fields.found;
  if (fields.suggestion !== undefined) issue.suggestion = fields.suggestion;
  return issue;
}

function expectedAt(ctx: IssueContext, path: KeyPath): string {
  return describeExpected(schemaAt(ctx.schema, path, ctx.raw));
}

function mapIssue(issue: ZodIssue, base: KeyPath, ctx: IssueContext): ConfigIssue[] {
  const path: PathSegment[] = [...base, ...(issue.path as PathSegment[])];
  const value = valueAt(ctx.raw, path);
  switch (issue.code) {
    case "unrecognized_keys":
      return unknownKeys(issue.keys, path, ctx);
    case "invalid_type": {
      if (value === undefined) {
        return [
          make(ctx, path, "key", {
            message: `missing required key "${String(path[path.length - 1])}"`,
            expected: expectedAt(ctx, path),
            found: "nothing",
          }),
        ];
      }
      return [
        make(ctx, path, "value", {
          message: issue.expected === "int" ? "not an integer" : "wrong type",
          expected: expectedAt(ctx, path),
          found: describeFound(value, path, true),
        }),
      ];
    }
    case "invalid_value":
      return [choice(issue.values, value, path, ctx)];
    case "too_small":
    case "too_big": {
      const origin = issue.origin;
      const message =
        origin === "array"
          ? issue.code === "too_small"
            ? "too few items"
            : "too many items"
          : origin === "string"
            ? issue.message
            : "out of range";
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const expected =
        origin === "array"
          ? `an array of ${issue.code === "too_small" ? "at least" : "at most"} ${String(bound)} item${Number(bound) === 1 ? "" : "s"}`
          : expectedAt(ctx, path);
      return [make(ctx, path, "value", { message, expected, found: describeFound(value, path) })];
    }
    case "invalid_format":
      return [
        make(ctx, path, "value", {
          message: issue.message,
          expected: expectedAt(ctx, path),
          found: describeFound(value, path),
        }),
      ];
    case "invalid_key": {
      const key = path[path.length - 1];
      return [
        make(ctx, path, "key", {
          message: "invalid name",
          expected: NAME_EXPECTED,
          found: JSON.stringify(String(key)),
        }),
      ];
    }
    case "invalid_union":
      return union(issue, path, value, ctx);
    case "custom": {
      const params = issue.params as { expected?: unknown } | undefined;
      return [
        make(ctx, path, "value", {
          message: issue.message,
          expected: typeof params?.expected === "string" ? params.expected : expectedAt(ctx, path),
          found: describeFound(value, path, typeof value !== "string"),
        }),
      ];
    }
    default:
      return [make(ctx, path, "value", { message: issue.message, found: describeFound(value, path) })];
  }
}

function unknownKeys(keys: readonly string[], path: KeyPath, ctx: IssueContext): ConfigIssue[] {
  const allowed = allowedKeysAt(ctx.schema, path, ctx.raw);
  const table = valueAt(ctx.raw, path);
  return keys.map((key) => {
    const refused = refusedKeyIssue(path, key, table);
    if (refused) return make(ctx, [...path, key], "key", refused);
    const suggestion = suggest(key, allowed);
    return make(ctx, [...path, key], "key", {
      message: `unknown key "${key}"`,
      expected: allowed.length > 0 ? `one of ${allowed.join(", ")}` : "no keys here",
      ...(suggestion !== undefined ? { suggestion } : {}),
    });
  });
}

function choice(values: readonly unknown[], value: unknown, path: KeyPath, ctx: IssueContext): ConfigIssue {
  const strings = values.filter((v): v is string => typeof v === "string");
  const suggestion = typeof value === "string" ? suggest(value, strings) : undefined;
  if (value === undefined) {
    return make(ctx, path, "key", {
      message: `missing required key "${String(path[path.length - 1])}"`,
      expected: oneOf(values),
      found: "nothing",
    });
  }
  return make(ctx, path, "value", {
    message: "invalid value",
    expected: oneOf(values),
    found: describeFound(value, path, typeof value !== "string"),
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
}

type UnionIssue = Extract<ZodIssue, { code: "invalid_union" }>;

function union(issue: UnionIssue, path: KeyPath, value: unknown, ctx: IssueContext): ConfigIssue[] {
  const options = (issue as { options?: unknown[] }).options;
  if (issue.errors.length === 0 && Array.isArray(options)) return [choice(options, value, path, ctx)];
  if (isTable(value)) {
    const allowed = allowedKeysAt(ctx.schema, path, ctx.raw);
    const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
    if (allowed.length > 0 && unknown.length > 0) return unknownKeys(unknown, path, ctx);
    const branch = issue.errors.find((branchIssues) =>
      branchIssues.every(
        (inner) =>
          inner.path.length > 0 || (inner.code !== "invalid_type" && inner.code !== "unrecognized_keys"),
      ),
    );
    if (branch && branch.length > 0) return branch.flatMap((inner) => mapIssue(inner, path, ctx));
  }
  return [
    make(ctx, path, "value", {
      message: "wrong type",
      expected: expectedAt(ctx, path),
      found: describeFound(value, path, true),
    }),
  ];
}

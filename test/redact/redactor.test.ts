import { describe, expect, test } from "bun:test";
import { createRedactor, RedactPatternError } from "../../src/redact/index.ts";

describe("createRedactor", () => {
  test("placeholders are stable per value, distinct across values and restorable", () => {
    const redactor = createRedactor();
    const a = redactor.redact("a@example.com");
    expect(a).toMatch(/^\[PII:email:[0-9a-f]{6}\]$/);
    expect(redactor.redact("write to a@example.com now")).toBe(`write to ${a} now`);
    expect(redactor.redact("b@example.com")).not.toBe(a);
    expect(redactor.restore(`to ${a}`)).toBe("to a@example.com");
  });

  test("placeholders are keyed per redactor, so they cannot be precomputed", () => {
    expect(createRedactor().redact("a@example.com")).not.toBe(createRedactor().redact("a@example.com"));
  });

  test("configured secrets: exact, longest first, minimum length 4, added later too", () => {
    const redactor = createRedactor({ secrets: ["abc", "token-123", "token-123-extended"] });
    const out = redactor.redact("abc token-123-extended token-123");
    expect(out.startsWith("abc [PII:secret:")).toBe(true);
    expect(out).not.toContain("token-123");
    expect(redactor.restore(out)).toBe("abc token-123-extended token-123");
    redactor.addSecrets(["late-value"]);
    expect(redactor.redact("x late-value")).toMatch(/^x \[PII:secret:[0-9a-f]{6}\]$/);
  });

  test("remembered redactions are forgotten when secrets are added", () => {
    const redactor = createRedactor();
    const short = "deploy with key-of-mine";
    const long = `${"log line\n".repeat(200)}key-of-mine`;
    expect(redactor.redact(short)).toBe(short);
    expect(redactor.redact(long)).toBe(long);
    redactor.addSecrets(["key-of-mine"]);
    expect(redactor.redact(short)).toMatch(/^deploy with \[PII:secret:[0-9a-f]{6}\]$/);
    expect(redactor.redact(long)).not.toContain("key-of-mine");
  });

  test("redacting the same short texts again gives the same result, also after other texts", () => {
    const redactor = createRedactor();
    const texts = Array.from({ length: 200 }, (_, i) => `mail u${i}@example.com`);
    const first = texts.map((text) => redactor.redact(text));
    expect(texts.map((text) => redactor.redact(text))).toEqual(first);
    expect(first.map((text) => redactor.redact(text))).toEqual(first);
    expect(new Set(first).size).toBe(200);
    expect(first.every((text) => /^mail \[PII:email:[0-9a-f]{6,}\]$/.test(text))).toBe(true);
  });

  test("pii: false keeps personal data but still redacts secrets and user patterns", () => {
    const redactor = createRedactor({ pii: false, patterns: ["ACME-[0-9]{6}"] });
    const out = redactor.redact("bob@example.com ACME-123456 AKIAIOSFODNN7EXAMPLE");
    expect(out).toContain("bob@example.com");
    expect(out).toMatch(/\[PII:pattern:[0-9a-f]{6}\] \[PII:api_key:[0-9a-f]{6}\]$/);
  });

  test("invalid user patterns are a named error", () => {
    expect(() => createRedactor({ patterns: ["(unclosed"] })).toThrow(RedactPatternError);
  });

  test("redactValue and restore walk JSON values, keys included, in key order", () => {
    const redactor = createRedactor({ secrets: ["key-of-mine"] });
    const value = {
      first: 1,
      "bob@example.com": ["call +44 20 7946 0958", 3, null, { ip: "10.1.2.3" }],
      "x-key-of-mine": "header",
      last: true,
    };
    const redacted = redactor.redactValue(value);
    expect(Object.keys(redacted)).toEqual([
      "first",
      expect.stringMatching(/^\[PII:email:[0-9a-f]{6}\]$/),
      expect.stringMatching(/^x-\[PII:secret:[0-9a-f]{6}\]$/),
      "last",
    ]);
    expect(JSON.stringify(redacted)).not.toMatch(/7946|10\.1\.2\.3|bob@|key-of-mine/);
    expect(redactor.restore(redacted)).toEqual(value);
    expect(value["bob@example.com"][0]).toBe("call +44 20 7946 0958");
    const untouched = { type: "tool_call", args: { command: "ls" } };
    expect(redactor.redactValue(untouched)).toBe(untouched);
  });

  test("a redacted key __proto__ stays an ordinary key", () => {
    const redactor = createRedactor({ secrets: ["key-of-mine"] });
    const value = JSON.parse('{"__proto__": {"polluted": 1}, "key-of-mine": 2}') as object;
    const redacted = redactor.redactValue(value) as Record<string, unknown>;
    expect(Object.hasOwn(redacted, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.keys(redacted)).toEqual(["__proto__", expect.stringMatching(/^\[PII:secret:/)]);
  });

  test("overlapping detections: the higher-priority one wins and nothing leaks", () => {
    const redactor = createRedactor({ secrets: ["ops@example.com:pw"] });
    const out = redactor.redact("login ops@example.com:pw");
    expect(out).toMatch(/^login \[PII:secret:[0-9a-f]{6}\]$/);
  });

  test("redacting twice changes nothing", () => {
    const redactor = createRedactor();
    const once = redactor.redact("x@y.io 4111 1111 1111 1111 token=Zq81mNbV3xYwPq");
    expect(redactor.redact(once)).toBe(once);
  });

  test("1 MB of hostile input: nothing invented, and values after it are still found", () => {
    const redactor = createRedactor();
    const hostile = [
      "a".repeat(1_000_000),
      "1".repeat(1_000_000),
      ":".repeat(500_000),
      "password=".repeat(100_000),
    ];
    for (const text of hostile) {
      expect(redactor.redact(text)).toBe(text);
      const withValues = `${text} mail bob@example.com key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789`;
      const redacted = redactor.redact(withValues);
      expect(redacted.startsWith(text)).toBe(true);
      expect(redacted.slice(text.length)).toMatch(
        /^ mail \[PII:email:[0-9a-f]{6}\] key \[PII:api_key:[0-9a-f]{6}\]$/,
      );
      expect(redactor.restore(redacted)).toBe(withValues);
    }
  });
});

describe("createRedactor with known placeholders (a resumed run)", () => {
  test("restores a placeholder an earlier redactor issued and redacts its value to it again", () => {
    const earlier = createRedactor();
    const placeholder = earlier.redact("10.20.30.40");
    expect(placeholder).toMatch(/^\[PII:ip:[0-9a-f]{6}\]$/);
    const resumed = createRedactor({ known: { [placeholder]: "10.20.30.40" } });
    expect(resumed.restore({ command: `curl http://${placeholder}/` })).toEqual({
      command: "curl http://10.20.30.40/",
    });
    expect(resumed.redact("reached 10.20.30.40")).toBe(`reached ${placeholder}`);
  });

  test("without them an earlier placeholder stays text; malformed entries are ignored", () => {
    const placeholder = createRedactor().redact("10.20.30.40");
    expect(createRedactor().restore(placeholder)).toBe(placeholder);
    const resumed = createRedactor({ known: { "[PII:ip:xyz]": "1.2.3.4", "not a placeholder": "x" } });
    expect(resumed.restore("[PII:ip:xyz] not a placeholder")).toBe("[PII:ip:xyz] not a placeholder");
  });
});

test("a configured secret is also found JSON-escaped, percent-encoded and in base64 at any alignment (review 8)", () => {
  const secret = 'pa"ss\\w0rd/+é~Zq';
  const redactor = createRedactor({ secrets: [secret] });
  const texts = [
    JSON.stringify({ password: secret }),
    `https://host/login?pw=${encodeURIComponent(secret)}&x=1`,
    `Authorization: Basic ${Buffer.from(`admin:${secret}`).toString("base64")}`,
    `data:\n  password: ${Buffer.from(secret).toString("base64")}\n`,
    Buffer.from(`MY_TOKEN=${secret}\nPATH=/bin\n`).toString("base64url"),
    ...["", "a", "ab"].map((pad) => Buffer.from(`${pad}${secret}`).toString("base64")),
  ];
  for (const text of texts) {
    const out = redactor.redact(text);
    expect(out).toContain("[PII:secret:");
    expect(redactor.restore(out)).toBe(text);
  }
  expect(redactor.redact("nothing secret here, just base64 aGVsbG8gd29ybGQ=")).toBe(
    "nothing secret here, just base64 aGVsbG8gd29ybGQ=",
  );
});

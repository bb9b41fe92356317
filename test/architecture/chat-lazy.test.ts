import { describe, expect, test } from "bun:test";
import { staticClosure } from "../support/static-imports.ts";

describe("agentry chat is imported lazily (run's cold start does not carry it)", () => {
  for (const entry of [
    "src/cli/main.ts",
    "src/cli/commands/run.ts",
    "src/cli/run-session.ts",
    "src/index.ts",
  ]) {
    test(`${entry} reaches no chat module by static imports`, () => {
      const { files } = staticClosure(entry);
      expect(files.size).toBeGreaterThan(2);
      const chat = [...files].filter(
        (file) => file.includes("/src/cli/chat/") || file.endsWith("/commands/chat.ts"),
      );
      expect(chat).toEqual([]);
    });
  }

  test("the scan sees the chat modules where the chat command imports them", () => {
    const { files } = staticClosure("src/cli/commands/chat.ts");
    expect([...files].some((file) => file.endsWith("/src/cli/chat/terminal-input.ts"))).toBe(true);
  });
});

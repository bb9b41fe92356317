import { describe, expect, test } from "bun:test";
import { CappedText } from "../../src/tools/capped-text.ts";
import { splitArgv } from "../../src/tools/shell/command-line.ts";

describe("splitArgv", () => {
  test.each([
    ["git log -n 5", ["git", "log", "-n", "5"]],
    ["  spaced\t out  ", ["spaced", "out"]],
    [`echo 'single $HOME \\n'`, ["echo", "single $HOME \\n"]],
    [`echo "a \\"b\\" \\$c \\d"`, ["echo", 'a "b" $c \\d']],
    [`echo a\\ b c\\"d`, ["echo", "a b", 'c"d']],
    [`echo "" ''`, ["echo", "", ""]],
    [`echo a"b c"'d'`, ["echo", "ab cd"]],
    ["echo a|b; c && d > e", ["echo", "a|b;", "c", "&&", "d", ">", "e"]],
    ["line\\\ncontinued", ["linecontinued"]],
  ])("%j", (line, argv) => {
    expect(splitArgv(line)).toEqual({ ok: true, argv });
  });

  test.each([
    [`echo "open`, "unbalanced double quote at position 6"],
    ["echo 'open", "unbalanced single quote at position 6"],
    ["echo trailing\\", "lone backslash"],
    ["   ", "the command is empty"],
    ["rm\0 X", "NUL"],
  ])("%j is refused", (line, message) => {
    const result = splitArgv(line);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe("CappedText", () => {
  test("keeps head and tail and counts what it drops", () => {
    const capped = new CappedText(10);
    for (const chunk of ["abc", "defgh", "ijklmnop", "qrstuvwxyz"]) capped.push(chunk);
    expect(capped.droppedBytes).toBe(16);
    expect(capped.text()).toBe("abcde\n[... output truncated: 16 bytes dropped ...]\nvwxyz");
  });

  test("under the limit, the text is returned whole", () => {
    const capped = new CappedText(10);
    capped.push("hello");
    expect(capped.text()).toBe("hello");
    expect(capped.droppedBytes).toBe(0);
  });
});

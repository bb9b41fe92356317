import { describe, expect, test } from "bun:test";
import { CappedText } from "../../src/tools/capped-text.ts";
import { splitArgv, splitShellCommand } from "../../src/tools/shell/command-line.ts";
import { compileCommandPolicy } from "../../src/tools/shell/command-policy.ts";

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
  ])("%j is refused", (line, message) => {
    const result = splitArgv(line);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe("splitShellCommand", () => {
  test("splits simple commands at control operators, keeping quoted operators", () => {
    const result = splitShellCommand(`git log | head -n 3; echo 'a;b' && ls || (pwd) & wc`);
    expect(result.ok && result.segments).toEqual([
      ["git", "log"],
      ["head", "-n", "3"],
      ["echo", "a;b"],
      ["ls"],
      ["pwd"],
      ["wc"],
    ]);
    expect(result.ok && result.substitution).toBe(false);
  });

  test.each(["echo $(id)", "echo `id`", 'echo "$(id)"', "diff <(ls) x"])("%j is a substitution", (line) => {
    const result = splitShellCommand(line);
    expect(result.ok && result.substitution).toBe(true);
  });

  test("single-quoted substitutions are plain text", () => {
    const result = splitShellCommand("echo '$(id)'");
    expect(result.ok && result.substitution).toBe(false);
  });
});

describe("command policy", () => {
  test("* spans spaces and slashes, other characters are literal, deny wins", () => {
    const policy = compileCommandPolicy(["git *", "cat /etc/*.conf"], ["git push *"]);
    expect(policy.check(["git", "log", "a/b c"])).toBeUndefined();
    expect(policy.check(["cat", "/etc/x/y.conf"])).toBeUndefined();
    expect(policy.check(["cat", "/etc/xconf"])).toContain("not allowed");
    expect(policy.check(["git"])).toContain("not allowed");
    expect(policy.check(["git", "push", "origin"])).toContain('denied by the rule "git push *"');
    expect(compileCommandPolicy(["a.c"]).check(["abc"])).toContain("not allowed");
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

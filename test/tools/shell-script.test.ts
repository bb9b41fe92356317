// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell text holds ${NAME} expansions literally
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseShellScript } from "../../src/tools/shell/shell-script.ts";

function commands(line: string): string[][] {
  const parsed = parseShellScript(line);
  if (!parsed.ok) throw new Error(`refused: ${parsed.reason}`);
  return parsed.commands.map((command) => command.argv);
}

function refusal(line: string): string {
  const parsed = parseShellScript(line);
  if (parsed.ok) throw new Error(`accepted: ${JSON.stringify(parsed.commands)}`);
  return parsed.reason;
}

describe("parseShellScript agrees with sh", () => {
  test("a quote after # is inside a comment, so the next lines are commands (issue 11 item 1)", () => {
    expect(commands("echo a #'\nid > pwned; rm final\n#'")).toEqual([["echo", "a"], ["id"], ["rm", "final"]]);
    expect(commands('echo "a" #"\nrm X\n#"')).toEqual([
      ["echo", "a"],
      ["rm", "X"],
    ]);
  });

  test("# inside a word is literal; after an operator it starts a comment", () => {
    expect(commands("echo a#b c")).toEqual([["echo", "a#b", "c"]]);
    expect(commands("echo a;#rm X\nls")).toEqual([["echo", "a"], ["ls"]]);
    expect(commands("echo a # \\\nrm X")).toEqual([
      ["echo", "a"],
      ["rm", "X"],
    ]);
  });

  test("quotes, backslashes and line continuations", () => {
    expect(commands(`r''m "X Y" a\\ b c\\"d 'e;f'`)).toEqual([["rm", "X Y", "a b", 'c"d', "e;f"]]);
    expect(commands("ec\\\nho x &\\\n& rm y")).toEqual([
      ["echo", "x"],
      ["rm", "y"],
    ]);
    expect(commands('echo "a\\\nb" "\\$x" "\\q"')).toEqual([["echo", "ab", "$x", "\\q"]]);
  });

  test("every control operator and newline separates simple commands", () => {
    expect(commands("a; b & c && d || e | f\ng\r")).toEqual([
      ["a"],
      ["b"],
      ["c"],
      ["d"],
      ["e"],
      ["f"],
      ["g\r"],
    ]);
    expect(commands("a &&\n\n b |\n c")).toEqual([["a"], ["b"], ["c"]]);
    expect(commands("rm\tX")).toEqual([["rm", "X"]]);
  });

  test("redirections are kept apart from argv; /dev/null and 2>&1 are harmless", () => {
    const parsed = parseShellScript("echo a 2>&1 >/dev/null 3<&- > out");
    expect(parsed.ok && parsed.commands).toEqual([
      {
        argv: ["echo", "a"],
        redirections: [
          { op: ">&", target: "1", harmless: true },
          { op: ">", target: "/dev/null", harmless: true },
          { op: "<&", target: "-", harmless: true },
          { op: ">", target: "out", harmless: false },
        ],
        rewritten: [false, false],
      },
    ]);
  });

  test.each([
    ["{ rm X; }", 'keyword "{"'],
    ["if true; then rm X; fi", 'keyword "if"'],
    ["for f in a; do rm X; done", 'keyword "for"'],
    ["while true; do rm X; done", 'keyword "while"'],
    ["case a in a) rm X;; esac", 'keyword "case"'],
    ["until false; do rm X; done", 'keyword "until"'],
    ["(rm X)", "subshells"],
    ["f() { rm X; }", "subshells"],
    ["X=1 rm X", "assignments"],
    ["R=rm; $R X", "assignments"],
    ["$R X", "variable"],
    ['"$R" X', "variable"],
    ["${R} X", "variable"],
    ["exec rm X", 'builtin "exec"'],
    ["command rm X", 'builtin "command"'],
    ["builtin rm X", 'builtin "builtin"'],
    ["! rm X", 'keyword "!"'],
    ["eval 'rm X'", 'builtin "eval"'],
    [". ./script", 'builtin "."'],
    ["trap 'rm X' EXIT", 'builtin "trap"'],
    ["alias ls=rm", 'builtin "alias"'],
    ["compgen -C 'rm X' x", 'builtin "compgen"'],
    ["echo $(rm X)", "command substitution"],
    ['echo "$(rm X)"', "command substitution"],
    ["echo `rm X`", "command substitution"],
    ["echo $\\\n(rm X)", "command substitution"],
    ["echo $((1+2))", "command substitution"],
    ["echo ${X:-$(rm X)}", "${…}"],
    ["echo $'\\x72m'", "bash-only"],
    ["cat <<EOF\nrm X\nEOF", "here-documents"],
    ["cat <<< x", "here-documents"],
    ["diff <(rm X) y", "process substitution"],
    ["echo a &> f", "&>"],
    ["echo a |& cat", '"|&"'],
    ["/bin/r? X", "pattern"],
    ["~/rm X", "pattern"],
    ["{r,}m X", "pattern"],
    ["echo a {fd}>f", "{name}"],
    ["echo 'open", "unbalanced single quote"],
    ["a && ; b", '";" without a command'],
    ["a &&", 'ends with "&&"'],
    ["> f", "redirection without a command"],
    ["echo a\0; rm X", "NUL"],
  ])("%j is refused", (line, reason) => {
    expect(refusal(line)).toContain(reason);
  });

  test("parameter expansions in arguments are kept as written", () => {
    expect(commands('echo $HOME "${USER}" $1 $?')).toEqual([["echo", "$HOME", "${USER}", "$1", "$?"]]);
  });
});

describe("parseShellScript against dash", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentry-sh-diff-"));
  for (const name of ["a", "b", "c"]) {
    const stub = join(dir, name);
    // One record, one write: concurrent members of a pipeline (`c|a`) must not interleave.
    writeFileSync(
      stub,
      `#!/bin/sh\nrecord=$(printf '%s\\037' "\${0##*/}" "$@")\nprintf '%s\\036' "$record" >> "$LOG"\n`,
    );
    chmodSync(stub, 0o755);
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pieces = [
    "a",
    "b",
    "c",
    " a",
    " b",
    " c",
    "a ",
    "b ",
    "c ",
    "x",
    " ",
    " ",
    "\t",
    "\n",
    "#",
    "'",
    '"',
    "\\",
    "\\\n",
    ";",
    "&&",
    "||",
    "|",
    "&",
    ">",
    "<",
    "2",
    "/dev/null",
    "(",
    ")",
    "!",
    "if",
    "=",
    "X=1",
    ";;",
    "{",
    "}",
    "y z",
    "\\'",
  ];
  let seed = 20261130;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const cases = Array.from({ length: 1500 }, () =>
    Array.from({ length: 1 + random(10) }, () => pieces[random(pieces.length)]).join(""),
  );

  const dash = ["/bin/dash", "/usr/bin/dash"].find((path) => existsSync(path));
  test.skipIf(dash === undefined)(
    "every program dash runs for an accepted line is one of the parsed simple commands",
    () => {
      let accepted = 0;
      let programs = 0;
      for (const line of cases) {
        const parsed = parseShellScript(line);
        if (!parsed.ok) continue;
        accepted += 1;
        const log = join(dir, `log-${accepted}`);
        spawnSync(dash as string, ["-c", `${line}\nwait`], {
          cwd: dir,
          env: { PATH: dir, LOG: log },
          stdio: "ignore",
        });
        const ran = existsSync(log)
          ? readFileSync(log, "utf8")
              .split("\x1e")
              .filter(Boolean)
              .map((entry) => entry.split("\x1f").slice(0, -1))
          : [];
        programs += ran.length;
        const predicted = parsed.commands.map((command) => JSON.stringify(command.argv));
        for (const argv of ran)
          expect({ line, argv: predicted.includes(JSON.stringify(argv)) }).toEqual({ line, argv: true });
      }
      expect(accepted).toBeGreaterThan(50);
      expect(programs).toBeGreaterThan(60);
    },
  );
});

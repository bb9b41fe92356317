import { describe, expect, test } from "bun:test";
import { compileCommandGlob } from "../../src/tools/shell/command-glob.ts";
import { compileCommandPolicy } from "../../src/tools/shell/command-policy.ts";
import { createProgramLookup } from "../../src/tools/shell/program-names.ts";

const lookup = createProgramLookup(process.env["PATH"], undefined);
const policy = (rules: { allow?: string[]; deny?: string[]; shell?: boolean }) =>
  compileCommandPolicy({ shell: false, ...rules }, lookup);

describe("command globs", () => {
  test("* spans spaces and slashes, other characters are literal, the whole text must match", () => {
    expect(compileCommandGlob("git *").matches("git log a/b c")).toBe(true);
    expect(compileCommandGlob("git *").matches("git")).toBe(false);
    expect(compileCommandGlob("cat /etc/*.conf").matches("cat /etc/xconf")).toBe(false);
    expect(compileCommandGlob("a.c").matches("abc")).toBe(false);
    expect(compileCommandGlob("é*").matches("é😀x")).toBe(true);
  });

  test("open commands: some completion for deny, every completion for allow", () => {
    expect(compileCommandGlob("rm *").matchesSomeCompletion("rm")).toBe(true);
    expect(compileCommandGlob("rmdir *").matchesSomeCompletion("rm")).toBe(false);
    expect(compileCommandGlob("rm -rf /*").matchesSomeCompletion("rm -rf")).toBe(true);
    expect(compileCommandGlob("grep *").matchesEveryCompletion("grep foo")).toBe(true);
    expect(compileCommandGlob("grep foo").matchesEveryCompletion("grep foo")).toBe(false);
    expect(compileCommandGlob("grep *x").matchesEveryCompletion("grep foo")).toBe(false);
  });
});

describe("shell = false: deny by program name and through wrappers (issue 11 items 3, 14)", () => {
  const deny = policy({ deny: ["rm *"] });
  test.each([
    " rm X",
    '"rm" X',
    "r''m X",
    "rm\tX",
    "/bin/rm X",
    "/usr/bin/rm X",
    "env rm X",
    "env -i -u HOME FOO=1 rm X",
    "/usr/bin/env -- rm X",
    "sh -c 'rm X'",
    "bash -ec 'echo a; rm X'",
    "dash -c 'ls | xargs rm'",
    "zsh -c 'rm X'",
    "xargs rm",
    "xargs -0 -n 1 rm -f",
    "xargs -I{} rm {}",
    "find X -delete",
    "find . -name '*.tmp' -exec rm {} ;",
    "find . -execdir rm -f {} +",
    "find . -ok rm {} ;",
    "nice -n 5 rm X",
    "nice -5 rm X",
    "nohup rm X",
    "timeout -s KILL 5 rm X",
    "sudo -u root rm X",
    "doas rm X",
    "stdbuf -oL rm X",
    "time -p rm X",
    "command -p rm X",
    "exec rm X",
    "setsid -f rm X",
    "busybox rm X",
    "sudo env nice timeout 1 sh -c 'xargs rm'",
  ])("%j is denied", (command) => {
    expect(deny.check(command)).toContain('is denied by the rule "rm *"');
  });

  test.each([
    ["env -S 'rm X'", "cannot be determined"],
    ["sh script.sh", "without -c"],
    ["bash", "without -c"],
    ["bash -i -c 'ls'", "startup files"],
    ["sh -c 'for f in *; do rm $f; done'", 'keyword "for"'],
    ["sudo -e /etc/passwd", "cannot be determined"],
    ["sudo", "cannot be determined"],
    ["timeout --weird 5 rm X", "does not know"],
    ["find . -exec {} ;", "cannot be determined"],
  ])("%j is refused because what it runs is unknown", (command, reason) => {
    const refusal = deny.check(command);
    expect(refusal).toContain("cannot check this command");
    expect(refusal).toContain(reason);
  });

  test.each(["rmdir X", "ls rm", "env", "echo rm X", "find . -name x", "grep -r rm .", "nice"])(
    "%j is not denied",
    (command) => {
      expect(deny.check(command)).toBeUndefined();
    },
  );

  test("rules written with a path match the program found on PATH", () => {
    const absolute = policy({ deny: ["/usr/bin/rm *"] });
    expect(absolute.check("rm X")).toContain("denied");
  });
});

describe("allow lists vouch for every program run", () => {
  const allow = policy({ allow: ["ls *", "echo *", "xargs *", "wc *", "find *", "env *"] });
  test.each([
    "ls -l",
    "/usr/bin/ls -l",
    "echo rm",
    "xargs wc -l",
    "find . -exec wc -l {} +",
    "env FOO=1 ls -a",
  ])("%j is allowed", (command) => {
    expect(allow.check(command)).toBeUndefined();
  });

  test.each([
    ["xargs rm", 'command "rm …" is not allowed'],
    ["find . -delete", 'command "rm …" is not allowed'],
    ["env rm X", 'command "rm X" is not allowed'],
    ["/tmp/elsewhere/ls -l", 'command "/tmp/elsewhere/ls -l" is not allowed'],
    ["./ls -l", 'command "./ls -l" is not allowed'],
  ])("%j is refused", (command, reason) => {
    expect(allow.check(command)).toContain(reason);
  });
});

describe("shell = true: every simple command is checked (issue 11 items 1, 7, 15)", () => {
  const allow = policy({ shell: true, allow: ["echo *", "git status*", "ls *"] });
  const deny = policy({ shell: true, deny: ["rm *"] });

  test("a comment hiding a quote cannot smuggle commands past an allow list", () => {
    expect(allow.check("echo a #'\nid > pwned; rm final\n#'")).toContain("> pwned");
    expect(allow.check('echo "a" #"\nrm X\n#"')).toContain('command "rm X" is not allowed');
  });

  test.each([
    "{ rm X; }",
    "if true; then rm X; fi",
    "X=1 rm X",
    "exec rm X",
    "command rm X",
    "! rm X",
    "eval 'rm X'",
    "R=rm; $R X",
  ])("%j is refused under a deny list", (command) => {
    expect(deny.check(command)).toContain("cannot check this command");
  });

  test.each(["echo a; rm X", "ls && rm X", "ls | xargs rm", "echo a & /bin/rm X", "sh -c 'rm X'"])(
    "%j is denied",
    (command) => {
      expect(deny.check(command)).toContain('denied by the rule "rm *"');
    },
  );

  test("redirections to files are refused under an allow list; /dev/null and 2>&1 pass", () => {
    expect(allow.check("echo a > file")).toContain('the redirection "> file" is refused');
    expect(allow.check("ls < /etc/shadow")).toContain('the redirection "< /etc/shadow" is refused');
    expect(allow.check("ls -l 2>/dev/null")).toBeUndefined();
    expect(allow.check("ls -l 2>&1 | echo x")).toBeUndefined();
    expect(deny.check("echo a > file")).toBeUndefined();
  });

  test("without rules nothing is checked", () => {
    expect(policy({ shell: true }).check("for f in *; do rm $f; done")).toBeUndefined();
  });
});

describe("attacker review: the program/argument boundary and descriptor numbers", () => {
  test("a program name with whitespace is never vouched for by an allow glob (shell = false and true)", () => {
    for (const shell of [false, true]) {
      const allow = policy({ allow: ["echo *", "ls *", "git status*"], shell });
      expect(allow.check("'ls /../../../../usr/bin/id'")).toContain("is not allowed");
      expect(allow.check("'git status' x")).toContain("is not allowed");
      expect(allow.check("ls /tmp")).toBeUndefined();
    }
  });

  test("a multi-digit word before a redirection is refused (bash: a descriptor, dash: an argument)", () => {
    const allow = policy({ allow: ["chmod 644 *"], shell: true });
    expect(allow.check("chmod 777</dev/null 644 f")).toContain("descriptor in bash but an argument in dash");
    expect(policy({ deny: ["chmod 777 *"], shell: true }).check("chmod 777</dev/null f")).toContain(
      "cannot check this command",
    );
    expect(allow.check("chmod 644 f 2>/dev/null")).toBeUndefined();
  });
});

describe("attacker review 7: words the shell rewrites cannot steer a wrapper (shell = true)", () => {
  const allow = policy({ shell: true, allow: ["find *", "echo *", "sh *", "timeout *", "env *", "grep *"] });
  const deny = policy({ shell: true, deny: ["rm *"] });

  test.each([
    // an unset variable vanishes: find sees -exec / -delete
    "find . -name victim -exec$NOPE rm {} \\;",
    'find . -name victim "-delete$NOPE"',
    // ${IFS} holds a newline: the outer shell hands sh a two-line script
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, ${IFS} is for sh
    'sh -c "echo a${IFS}rm victim"',
    // a vanishing operand shifts the command word
    "timeout $NOPE 5 rm victim",
    // $0 is "sh", "$@" the script's arguments, a glob a file name
    "env $0 -c 'rm victim'",
    "sh -c 'env \"$@\"' _ rm victim",
    "env /usr/bin/r[m] victim",
    "env ~/rm victim",
    "env {r,}m victim",
  ])("%j is refused under an allow list and under a deny list", (command) => {
    for (const rules of [allow, deny])
      expect(rules.check(command)).toContain("is expanded or rewritten by the shell");
  });

  test("quoted patterns, {} and variables after the command word still pass", () => {
    expect(allow.check("find . -name '*.ts' -exec grep -l x {} +")).toBeUndefined();
    expect(allow.check('find "$HOME" -name x')).toContain("is expanded or rewritten");
    expect(allow.check("env grep x $HOME/notes *.md")).toBeUndefined();
    expect(deny.check("find . -name x -exec rm {} \\;")).toContain('denied by the rule "rm *"');
  });

  test("sudo -s and -i hand the command to a shell, so they cannot be checked", () => {
    const direct = policy({ deny: ["rm *"] });
    for (const command of ["sudo -s 'rm$IFS-rf$IFS/'", "sudo -i rm x", "sudo --shell rm x", "doas -s"]) {
      expect(direct.check(command)).toContain("cannot be determined");
    }
  });
});

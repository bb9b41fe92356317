/**
 * How the programs that run another program (`env`, `nice`, `timeout`, `sudo` …) take their
 * options, so the command they run can be found. A wrapper used with an option not listed here is
 * treated as unverifiable rather than guessed at.
 */

/** Option syntax of one wrapper. Short options may be clustered (`-in`); long ones take `=VALUE`. */
export interface WrapperOptions {
  /** Options without a value. */
  flags: readonly string[];
  /** Options that take a value, attached (`-n5`, `--user=x`) or as the next word. */
  valued: readonly string[];
  /** Short options whose optional value can only be attached (`xargs -i{}`). */
  attached?: readonly string[];
  /** Options after which the command run cannot be determined (e.g. `env -S`, `sudo -e`). */
  opaque?: readonly string[];
  /** `NAME=VALUE` words before the command are settings, not the command (`env`, `sudo`). */
  assignments?: boolean;
  /** Positional words before the command (`timeout DURATION cmd`). */
  operands?: number;
  /** `-5` is an option (`nice -5 cmd`). */
  numeric?: boolean;
  /** With no command left: `none` means nothing else runs, `opaque` that something unknown does. */
  bare: "none" | "opaque";
}

/** Wrappers that run the rest of their arguments as a command, by program basename. */
export const WRAPPERS: Readonly<Record<string, WrapperOptions>> = {
  env: {
    flags: [
      "-i",
      "-",
      "-0",
      "-v",
      "--ignore-environment",
      "--null",
      "--debug",
      "--default-signal",
      "--ignore-signal",
      "--block-signal",
    ],
    valued: ["-u", "--unset", "-C", "--chdir", "-P"],
    opaque: ["-S", "--split-string"],
    assignments: true,
    bare: "none",
  },
  nice: { flags: [], valued: ["-n", "--adjustment"], numeric: true, bare: "none" },
  nohup: { flags: [], valued: [], bare: "none" },
  timeout: {
    flags: ["--preserve-status", "--foreground", "-v", "--verbose", "-f", "-p"],
    valued: ["-s", "--signal", "-k", "--kill-after"],
    operands: 1,
    bare: "none",
  },
  sudo: {
    flags: [
      "-A",
      "-B",
      "-b",
      "-E",
      "-H",
      "-n",
      "-P",
      "-S",
      "-k",
      "-K",
      "-N",
      "--preserve-env",
      "--non-interactive",
      "--background",
      "--set-home",
      "--stdin",
    ],
    valued: [
      "-u",
      "--user",
      "-g",
      "--group",
      "-C",
      "--close-from",
      "-D",
      "--chdir",
      "-h",
      "--host",
      "-p",
      "--prompt",
      "-R",
      "--chroot",
      "-r",
      "--role",
      "-t",
      "--type",
      "-T",
      "--command-timeout",
      "-U",
      "--other-user",
      "-c",
      "--login-class",
    ],
    // -i and -s hand the command to a shell (sudo escapes only some characters; `$` stays live)
    opaque: [
      "-e",
      "--edit",
      "-l",
      "--list",
      "-v",
      "--validate",
      "-V",
      "--version",
      "-i",
      "--login",
      "-s",
      "--shell",
    ],
    assignments: true,
    bare: "opaque",
  },
  doas: { flags: ["-n", "-L"], valued: ["-u", "-C"], opaque: ["-s"], bare: "opaque" },
  stdbuf: { flags: [], valued: ["-i", "--input", "-o", "--output", "-e", "--error"], bare: "none" },
  time: {
    flags: ["-p", "-a", "-v", "-q", "--portability", "--append", "--verbose", "--quiet"],
    valued: ["-f", "--format", "-o", "--output"],
    bare: "none",
  },
  command: { flags: ["-p", "-v", "-V"], valued: [], bare: "none" },
  exec: { flags: ["-c", "-l"], valued: ["-a"], bare: "none" },
  builtin: { flags: [], valued: [], bare: "none" },
  setsid: { flags: ["-c", "-f", "-w", "--ctty", "--fork", "--wait"], valued: [], bare: "none" },
  ionice: {
    flags: ["-t", "--ignore"],
    valued: ["-c", "--class", "-n", "--classdata", "-p", "--pid", "-P", "--pgid", "-u", "--uid"],
    bare: "none",
  },
  busybox: { flags: [], valued: [], bare: "none" },
  xargs: {
    flags: [
      "-0",
      "-p",
      "-r",
      "-t",
      "-x",
      "-o",
      "--null",
      "--interactive",
      "--no-run-if-empty",
      "--verbose",
      "--exit",
      "--open-tty",
      "--replace",
      "--eof",
      "--max-lines",
    ],
    valued: [
      "-a",
      "--arg-file",
      "-d",
      "--delimiter",
      "-E",
      "-I",
      "-L",
      "-n",
      "--max-args",
      "-P",
      "--max-procs",
      "-s",
      "--max-chars",
      "--process-slot-var",
    ],
    attached: ["-e", "-i", "-l"],
    bare: "none",
  },
};

/** Where the wrapped command starts in argv, `undefined` when none follows, or why it is unknown. */
export type WrappedStart = { ok: true; index: number | undefined } | { ok: false; reason: string };

/** Skips a wrapper's options (and assignments/operands) to the command it runs. */
export function wrappedCommandStart(argv: readonly string[], spec: WrapperOptions): WrappedStart {
  const wrapper = argv[0] ?? "";
  const opaque = (option: string): WrappedStart => ({
    ok: false,
    reason: `what "${wrapper} ${option}" runs cannot be determined`,
  });
  let i = 1;
  while (i < argv.length) {
    const word = argv[i] as string;
    if (word === "--") {
      i += 1;
      break;
    }
    if (word === "-") {
      if (!spec.flags.includes("-")) break;
      i += 1;
      continue;
    }
    if (!word.startsWith("-")) break;
    if (spec.numeric && /^-\d+$/.test(word)) {
      i += 1;
      continue;
    }
    if (word.startsWith("--")) {
      const name = word.includes("=") ? word.slice(0, word.indexOf("=")) : word;
      if (spec.opaque?.includes(name)) return opaque(name);
      if (spec.valued.includes(name)) i += word.includes("=") ? 1 : 2;
      else if (spec.flags.includes(name)) i += 1;
      else
        return { ok: false, reason: `"${wrapper}" is used with an option agentry does not know (${name})` };
      continue;
    }
    let consumed = 1;
    for (let c = 1; c < word.length; c++) {
      const option = `-${word[c]}`;
      if (spec.opaque?.includes(option)) return opaque(option);
      if (spec.valued.includes(option)) {
        if (c === word.length - 1) consumed = 2;
        break;
      }
      if (spec.attached?.includes(option)) break;
      if (!spec.flags.includes(option))
        return { ok: false, reason: `"${wrapper}" is used with an option agentry does not know (${option})` };
    }
    i += consumed;
  }
  if (spec.assignments) while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i] as string)) i += 1;
  i += spec.operands ?? 0;
  if (i < argv.length) return { ok: true, index: i };
  if (spec.bare === "opaque")
    return { ok: false, reason: `"${argv.join(" ")}" runs a command that cannot be determined` };
  return { ok: true, index: undefined };
}

/**
 * Start-up: `node:tty` (for `isatty`) and `process.stdin/stdout/stderr` (for `.isTTY`) load Bun's
 * stream machinery, ≈ 2 ms of CPU before `agentry run`'s first request (docs/benchmarks/turns.md).
 * Bun answers `isatty(fd)` natively through `process.binding("tty_wrap").isTTY`, the call its own
 * `tty.isatty` makes; elsewhere (Node) the stream's `isTTY`, which is what this answers.
 * test/cli/terminal-fd.test.ts compares it with `tty.isatty` on a pipe, a file, /dev/null and a
 * pseudo-terminal.
 */
export function isTerminal(fd: 0 | 1 | 2): boolean {
  const binding = ttyBinding();
  if (binding) return binding.isTTY(fd);
  const stream = fd === 0 ? process.stdin : fd === 1 ? process.stdout : process.stderr;
  return Boolean(stream.isTTY);
}

interface TtyBinding {
  isTTY(fd: number): boolean;
}

function ttyBinding(): TtyBinding | undefined {
  if (typeof Bun === "undefined") return undefined;
  try {
    const binding = (process as unknown as { binding(name: string): Partial<TtyBinding> }).binding(
      "tty_wrap",
    );
    return typeof binding.isTTY === "function" ? (binding as TtyBinding) : undefined;
  } catch {
    return undefined;
  }
}

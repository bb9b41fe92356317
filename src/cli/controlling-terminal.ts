import { openSync } from "node:fs";
import tty from "node:tty";

/** The controlling terminal, opened for questions while stdin carries piped data. */
export interface ControllingTerminal {
  input: tty.ReadStream;
  output: tty.WriteStream;
  close(): void;
}

/**
 * Opens `/dev/tty` (the terminal the command runs in, even when stdin is a pipe), or returns
 * the reason it cannot: no controlling terminal (CI, a service, `setsid`), or no `/dev/tty` at
 * all (Windows).
 */
export function openControllingTerminal(): ControllingTerminal | { error: string } {
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  return {
    input,
    output,
    close: () => {
      input.destroy();
      output.destroy();
    },
  };
}

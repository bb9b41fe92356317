/** The styles the text renderer paints with. */
export interface Paint {
  cyan(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const same = (text: string): string => text;

/** No colour: every style returns its text, as chalk does at level 0. */
export const noColor: Paint = { cyan: same, dim: same, green: same, red: same, yellow: same };

/**
 * ANSI colours (chalk at level 1). chalk is loaded only here, when colour is on: loading it probes
 * the terminal (`node:tty`, `node:os`), start-up that a run without colour does not need.
 */
export async function ansiColor(): Promise<Paint> {
  const { Chalk } = await import("chalk");
  return new Chalk({ level: 1 });
}

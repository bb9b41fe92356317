import { expect, test } from "bun:test";
import { Chalk } from "chalk";
import { ansiColor, noColor, type Paint } from "../../src/cli/render/paint.ts";
import { staticClosure } from "../support/static-imports.ts";

const STYLES = ["cyan", "dim", "green", "red", "yellow"] as const;
const TEXTS = ["", "→", "✓ done (1.2s)", "error: multi\nline", "\u001b[1malready styled\u001b[22m"];

function painted(paint: Paint): string[] {
  return STYLES.flatMap((style) => TEXTS.map((text) => paint[style](text)));
}

test("noColor paints exactly as chalk at level 0 (no colour), ansiColor as chalk at level 1", async () => {
  expect(painted(noColor)).toEqual(painted(new Chalk({ level: 0 })));
  expect(painted(await ansiColor())).toEqual(painted(new Chalk({ level: 1 })));
});

test("the run command does not load chalk unless colour is on", () => {
  expect([...staticClosure("src/cli/commands/run.ts").packages].filter((name) => name === "chalk")).toEqual(
    [],
  );
});

import { existsSync } from "node:fs";

/** The system Chromium (Debian package `chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = process.env["AGENTRY_CHROMIUM"] ?? "/usr/bin/chromium";

/** Flags for a headless Chromium in CI: no sandbox, GPU, QUIC or any background network traffic. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Fails the test loudly when the browser is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
}

import { createHash } from "node:crypto";
import { BASE_HEADERS } from "../http-guard.ts";
import style from "./page.css.txt" with { type: "text" };
import html from "./page.html.txt" with { type: "text" };
import script from "./page.js.txt" with { type: "text" };

/** The approvals page: one HTML response whose only script and style are inline and pinned by hash. */
export interface ApprovalPage {
  response(): Response;
}

/**
 * Builds the page at `/`: inline HTML, CSS and JS (no CDN, nothing fetched but the API), served
 * with a CSP that allows exactly that script and style (by SHA-256), API calls to the same
 * origin, no framing (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), no forms, no plugins.
 * The page holds no data; everything it shows comes from the API with the token the user enters.
 */
export function approvalPage(): ApprovalPage {
  const body = html.replace("/*STYLE*/", () => style).replace("/*SCRIPT*/", () => script);
  const csp = [
    "default-src 'none'",
    `script-src '${hash(script)}'`,
    `style-src '${hash(style)}'`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    response: () =>
      new Response(body, {
        headers: {
          ...BASE_HEADERS,
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": csp,
        },
      }),
  };
}

function hash(text: string): string {
  return `sha256-${createHash("sha256").update(text).digest("base64")}`;
}

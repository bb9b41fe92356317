import { collect, type Detection } from "./types.ts";

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** JSON Web Tokens (`eyJ….eyJ….signature`, unsigned ones included). */
export function detectJwts(text: string, out: Detection[]): void {
  if (text.includes("eyJ")) collect(JWT, text, out, "jwt");
}

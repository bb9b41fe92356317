/** A refusal with its HTTP status and a machine-readable code. */
export interface Refusal {
  ok: false;
  status: number;
  code: string;
  message: string;
  /** Seconds after which trying again may succeed (`Retry-After`), for a refusal of a busy resource. */
  retryAfter?: number;
}

/** The refusal with `status`, `code` and `message`. */
export function refusal(status: number, code: string, message: string, retryAfter?: number): Refusal {
  return { ok: false, status, code, message, ...(retryAfter === undefined ? {} : { retryAfter }) };
}

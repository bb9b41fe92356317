/** A refusal with its HTTP status and a machine-readable code. */
export interface Refusal {
  ok: false;
  status: number;
  code: string;
  message: string;
}

/** The refusal with `status`, `code` and `message`. */
export function refusal(status: number, code: string, message: string): Refusal {
  return { ok: false, status, code, message };
}

/** The methods an http tool can send; a tool that lists none in `methods` allows them all. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** One of `HTTP_METHODS`. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * The methods of `allowed` (every method when unset) that can change something on the server:
 * all but GET and HEAD. What decides whether an http tool is read-only by its methods, and what
 * `doctor` names when a `read_only` claim does not hold.
 */
export function writingMethods(allowed: readonly HttpMethod[] | undefined): HttpMethod[] {
  return (allowed ?? HTTP_METHODS).filter((method) => method !== "GET" && method !== "HEAD");
}

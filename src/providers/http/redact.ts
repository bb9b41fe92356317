/** Replaces every occurrence of each secret (longer than 3 characters) in `text` with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 3) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}

/** The first `${VAR}` name referenced by a raw config value, e.g. `OPENAI_API_KEY`. */
export function referencedVariable(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return /\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(raw)?.[1];
}

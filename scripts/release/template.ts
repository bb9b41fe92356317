/**
 * The `{{name}}` templates of `.goreleaser-like.yml`: plain substitution, no logic, so a name
 * in the config can always be read at a glance. Unknown variables are an error, never "".
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Thrown for a template naming a variable the caller did not provide. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

/** Names of every `{{variable}}` in a template, in order of appearance. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

/**
 * Replaces each `{{variable}}` with its value. Throws `TemplateError` naming the first
 * variable that `values` lacks, and when `{{` is left over unbalanced.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const rendered = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new TemplateError(
        `unknown template variable {{${name}}} (known: ${Object.keys(values).join(", ")})`,
      );
    }
    return value;
  });
  if (rendered.includes("{{") || rendered.includes("}}")) {
    throw new TemplateError(`malformed template "${template}": unbalanced braces`);
  }
  return rendered;
}

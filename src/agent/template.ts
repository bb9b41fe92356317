/**
 * `{{var}}` templating for agent instructions. Unknown variables are left visible as `{{name}}`
 * and reported, so a typo shows up in the prompt instead of silently vanishing.
 */
export function renderTemplate(
  template: string,
  vars: Record<string, string>,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g, (whole, name: string) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (value === undefined) {
      missing.push(name);
      return whole;
    }
    return value;
  });
  return { text, missing };
}

/** Fills `{name}` placeholders; an unknown name is left as it is. Shared by server pages, mail and the widget bundle. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (Object.hasOwn(values, key) ? String(values[key]) : m));
}

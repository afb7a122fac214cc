/**
 * A translated sentence with markup in its placeholders ("Send mail to {email} when …", where
 * {email} is <strong>…</strong>): the translation's own text is escaped, and each value is escaped
 * unless it is SafeHtml, so a translation can move a placeholder but never inject markup.
 */
import { html, SafeHtml, type Interpolation } from '../lib/html.js';

export function formatHtml(template: string, values: Record<string, Interpolation>): SafeHtml {
  const parts = template.split(/\{(\w+)\}/g);
  // split with one capture group: even indexes are text, odd ones placeholder names.
  const pieces = parts.map((part, i) => (i % 2 === 0 ? part : Object.hasOwn(values, part) ? values[part] : `{${part}}`));
  return pieces.reduce<SafeHtml>((acc, piece) => html`${acc}${piece as Interpolation}`, new SafeHtml(''));
}

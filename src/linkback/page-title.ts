/** A post page's own title, for a thread that learned none from the widget or an import (issue 16.5). */
import { Parser } from 'htmlparser2';

/**
 * The page's `og:title` when it has one (it names the post without the blog's " — Blog" suffix that
 * `<title>` often carries), else its first `<title>` outside SVG/MathML. Raw text: the caller makes it plain.
 */
export function readPageTitle(html: string): string | undefined {
  let og: string | undefined;
  let title: string | undefined;
  let inTitle = false;
  let text = '';
  let foreign = 0;
  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === 'svg' || name === 'math') foreign++;
      if (name === 'meta' && og === undefined && (attrs.property ?? attrs.name)?.toLowerCase() === 'og:title' && attrs.content) og = attrs.content;
      if (name === 'title' && title === undefined && foreign === 0) inTitle = true;
    },
    ontext(chunk) {
      if (inTitle) text += chunk;
    },
    onclosetag(name) {
      if (name === 'svg' || name === 'math') foreign = Math.max(0, foreign - 1);
      if (name === 'title' && inTitle) {
        inTitle = false;
        title = text;
      }
    },
  }, { decodeEntities: true });
  parser.end(html);
  return og?.trim() || title?.trim() || undefined;
}

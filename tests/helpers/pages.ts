/**
 * Source pages for the linkback tests (TrackBack, Pingback, Webmention, the parser and the worker
 * pool), in one place: an ordinary post linking to a target, a long realistic blog page, and the
 * pathological shapes an attacker would send.
 */
import type { SourcePage, SourceServer } from './source-server.js';
import { POST } from './test-server.js';

/** Lets Backtalk fetch from the loopback source servers of the tests. */
export const PRIVATE_FETCH = { BACKTALK_ALLOW_PRIVATE_FETCH: 'true' } as const;
/** A second post on the test site, for a thread other than POST's. */
export const OTHER_POST = 'http://blog.example/2026/12/another/';

/** An ordinary blog post whose text links to `target` with an `<a href>`; `opts` may be just its title. */
export function linkingPage(target: string = POST, opts: string | { title?: string; text?: string } = {}): SourcePage {
  if (typeof opts === 'string') opts = { title: opts };
  const title = opts.title ?? 'A blog post';
  const text = opts.text ?? 'Yesterday I read';
  return {
    body:
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><article>` +
      `<p>${text} <a href="${target}">this post</a> and wrote about it here.</p></article></body></html>`,
  };
}

/** Serves a page linking to `target` at `path`; returns its URL. */
export function linkingSource(source: SourceServer, path: string, target: string = POST, title?: string): string {
  source.set(path, linkingPage(target, { title }));
  return source.url(path);
}

/**
 * A long blog page of about `bytes` characters: nested blocks, many links, microformats, the link to
 * `target` near the end. What a real 1 MiB source page (the fetch cap) looks like.
 */
export function bigBlogPage(bytes: number, target: string, n = 0): string {
  const block = (i: number) =>
    `<div class="comment h-cite"><p class="p-author h-card"><a class="u-url" href="https://people.example/${i}">Reader ${i}</a></p>` +
    `<div class="e-content"><p>Paragraph ${i} of a very long page: <em>emphasis</em>, <strong>strong</strong>, ` +
    `<a href="https://elsewhere.example/${n}/${i}">a link elsewhere</a> and &amp; some entities &lt;here&gt;.</p>` +
    `<ul><li>one</li><li>two <code>x &lt; y</code></li></ul></div></div>\n`;
  const head = `<!doctype html><html><head><meta charset="utf-8"><title>Big page ${n}</title></head><body>` +
    `<article class="h-entry"><h1 class="p-name">Big page ${n}</h1><div class="e-content">`;
  const tail = `<p>And finally, <a href="${target}">the post this is about</a>.</p></div></article></body></html>`;
  const parts: string[] = [head];
  let size = head.length + tail.length;
  for (let i = 0; size < bytes; i++) {
    const b = block(i);
    parts.push(b);
    size += b.length;
  }
  parts.push(tail);
  return parts.join('');
}

/**
 * About `bytes` characters of elements nested inside each other, `depth` deep when given (else as
 * deep as the size allows), with the link to `target` and some text in the innermost one. Closed
 * properly unless `closed` is false. An h-entry named "Entry name" wraps it all, so a Webmention
 * would take its title from microformats.
 */
export function nestedPage(bytes: number, target: string, opts: { tag?: string; depth?: number; closed?: boolean } = {}): string {
  const tag = opts.tag ?? 'div';
  const closed = opts.closed ?? true;
  const head = '<!doctype html><html><head><title>Nested</title></head><body><article class="h-entry"><h1 class="p-name">Entry name</h1>';
  const inner = `<p>Deep inside, <a href="${target}">the post</a> is linked.</p>`;
  const perLevel = `<${tag}>`.length + (closed ? `</${tag}>`.length : 0);
  const depth = opts.depth ?? Math.max(0, Math.floor((bytes - head.length - inner.length) / perLevel));
  const filler = 'x'.repeat(Math.max(0, bytes - head.length - inner.length - depth * perLevel));
  return head + `<${tag}>`.repeat(depth) + inner + (closed ? `</${tag}>`.repeat(depth) : '') + filler;
}

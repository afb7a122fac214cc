/**
 * `/demo/`: a sample blog on this server — two posts carrying the widget and the linkback discovery
 * tags, and an index with comment counters — so `npm start` with no configuration shows everything
 * working. The posts live under the public URL, which is the default site. Strict CSP, no inline code.
 */
import { Router } from 'express';
import { formatDiscovery } from '../protocols/discovery.js';
import { html, trusted, type SafeHtml } from '../lib/html.js';
import { isOnSites, parseHttpUrl } from '../lib/url.js';
import { pageCsp } from '../render/csp.js';
import type { Store } from '../store/repository.js';

export interface DemoRouteDeps {
  store: Store;
  sites: readonly string[];
  publicUrl: string;
  clock: { now(): Date };
}

const POSTS = [
  { path: '/demo/', title: 'Hello from Backtalk', intro: 'This is a sample post. The comments below come from the Backtalk server you just started.' },
  { path: '/demo/second/', title: 'A second post', intro: 'Another sample post, so the index page has more than one counter to fill.' },
] as const;

const CSS = `body{font:17px/1.6 Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#15171a}a{color:#8ab4ff}}
pre{overflow-x:auto;font-size:.8em;padding:.75rem;background:rgba(127,127,127,.12)}
nav{font-family:system-ui,sans-serif;font-size:.9em}`;

export function demoRoutes(deps: DemoRouteDeps): Router {
  const router = Router();
  const publicOrigin = new URL(deps.publicUrl).origin;
  const csp = pageCsp({ publicOrigin, sites: deps.sites }, { scripts: true });
  const onSite = isOnSites(parseHttpUrl(deps.publicUrl)!, deps.sites);
  const page = (title: string, head: SafeHtml | string, body: SafeHtml) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${deps.publicUrl}/demo/demo.css">
${head}</head><body>
<nav><a href="${deps.publicUrl}/demo/all/">All demo posts</a></nav>
${onSite ? '' : html`<p><strong>The demo needs ${publicOrigin} in BACKTALK_SITES.</strong></p>`}
${body}
<script src="${deps.publicUrl}/embed.js" async></script>
</body></html>`.value;

  router.get('/demo/demo.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=300').send(CSS);
  });

  for (const post of POSTS) {
    router.get(post.path, async (_req, res) => {
      const target = deps.publicUrl + post.path;
      let discovery: SafeHtml | string = '';
      if (onSite) {
        const thread = await deps.store.threads.ensure(target, deps.clock.now());
        // formatDiscovery escapes every value it prints (XML rules, HTML-compatible).
        discovery = trusted(formatDiscovery({
          target, title: post.title,
          trackbackUrl: `${deps.publicUrl}/trackback/${thread.id}`,
          pingbackUrl: `${deps.publicUrl}/xmlrpc`,
          webmentionUrl: `${deps.publicUrl}/webmention`,
        }));
      }
      const noscript = `${deps.publicUrl}/thread?target=${encodeURIComponent(target)}`;
      res.set('Content-Security-Policy', csp).type('html').send(page(post.title, html`<link rel="canonical" href="${target}">
${discovery}`, html`<main><article>
<h1>${post.title}</h1>
<p>${post.intro}</p>
<p>Try it: post a comment, reply to one, edit or delete your own within 15 minutes, turn JavaScript off and use the
<a href="${noscript}">plain HTML thread page</a>. Other blogs can link here by TrackBack, Pingback or Webmention; the
discovery tags are in this page's <code>&lt;head&gt;</code>. For example:</p>
<pre>curl -d 'url=https://other.example/post&amp;title=Nice+post' '${deps.publicUrl}/trackback?target=${encodeURIComponent(target)}'</pre>
<p>This page embeds the widget with:</p>
<pre>&lt;script src="${deps.publicUrl}/embed.js" async&gt;&lt;/script&gt;
&lt;div id="backtalk"&gt;&lt;noscript&gt;&lt;a href="${noscript}"&gt;Comments&lt;/a&gt;&lt;/noscript&gt;&lt;/div&gt;</pre>
</article>
<div id="backtalk"><noscript><a href="${noscript}">Read and post comments without JavaScript</a></noscript></div>
</main>`));
    });
  }

  router.get('/demo/all/', (_req, res) => {
    const items = POSTS.map((p) => html`<li><a href="${deps.publicUrl}${p.path}">${p.title}</a> —
<a href="${deps.publicUrl}${p.path}#backtalk" data-backtalk-count="${deps.publicUrl}${p.path}">comments</a></li>`);
    res.set('Content-Security-Policy', csp).type('html').send(page('Backtalk demo blog', '', html`<main><h1>Backtalk demo blog</h1>
<p>The comment counts come from one <code>/api/counts</code> request made by the same <code>embed.js</code>.</p>
<ul>${items}</ul></main>`));
  });
  return router;
}

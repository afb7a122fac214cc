/**
 * Browser tests: Debian's Chromium driven by playwright-core, a Backtalk test server, and a small
 * blog on another 127.0.0.1 port that embeds the widget exactly as the contract says. Backtalk's
 * BACKTALK_SITES is that blog's origin, so every request the widget makes is cross-origin, as on a
 * real site. Missing Chromium is a failure with a clear message, never a skip (CI installs it).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { ensureWidgetBuilt } from '../../scripts/build-widget.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'tests', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. The browser tests need Debian's "chromium" package (apt-get install chromium; .ci/run installs it).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface BlogPage {
  body: string;
  headers?: Record<string, string>;
}

/** The blog: pages a test registers by path; it records every request it gets. */
export interface Blog {
  origin: string;
  set(path: string, page: BlogPage): void;
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startBlog(): Promise<Blog> {
  const pages = new Map<string, BlogPage>();
  const requests: Blog['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ path: req.url ?? '/', headers: req.headers });
    const page = pages.get(path);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    set: (path, page) => void pages.set(path, page),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Stack {
  blog: Blog;
  bt: TestServer;
  close(): Promise<void>;
}

/** A blog plus a Backtalk that serves it (BACKTALK_SITES = the blog's origin). */
export async function startStack(env: Record<string, string> = {}, blog?: Blog): Promise<Stack> {
  await ensureWidgetBuilt();
  const ownBlog = !blog;
  const theBlog = blog ?? (await startBlog());
  const bt = await startTestServer({ BACKTALK_SITES: theBlog.origin, ...env });
  return {
    blog: theBlog,
    bt,
    close: async () => {
      await bt.close();
      if (ownBlog) await theBlog.close();
    },
  };
}

export interface PostOptions {
  title?: string;
  lang?: string;
  /** data-target; left out, the widget uses the canonical link or the page URL. */
  target?: string;
  canonical?: string;
  dataLang?: string;
  extraBody?: string;
}

/** A blog post embedding the widget exactly as the contract says, with the documented noscript link. */
export function postHtml(bt: TestServer, pageUrl: string, o: PostOptions = {}): string {
  const attrs = [o.target ? ` data-target="${o.target}"` : '', o.dataLang ? ` data-lang="${o.dataLang}"` : ''].join('');
  const noscriptTarget = o.target ?? o.canonical ?? pageUrl;
  return `<!doctype html><html${o.lang ? ` lang="${o.lang}"` : ''}><head><meta charset="utf-8">
<title>${o.title ?? 'A post'}</title>${o.canonical ? `<link rel="canonical" href="${o.canonical}">` : ''}</head>
<body><article><h1>${o.title ?? 'A post'}</h1><p>Some text worth discussing.</p></article>${o.extraBody ?? ''}
<script src="${bt.url}/embed.js"${attrs} async></script><div id="backtalk"><noscript><a href="${bt.url}/thread?target=${encodeURIComponent(noscriptTarget)}">Read and post comments without JavaScript</a></noscript></div>
</body></html>`;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Posts a comment through the JSON API (for setting up a thread). */
export async function apiComment(bt: TestServer, target: string, fields: Record<string, unknown>): Promise<{ id: number; edit_token: string }> {
  const res = await bt.postJson('/comments', { target, ...fields });
  if (res.status !== 201) throw new Error(`setup comment refused: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number; edit_token: string };
}

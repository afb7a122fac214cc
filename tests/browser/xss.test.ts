/**
 * The XSS corpus (tests/unit/xss-corpus.ts) posted as comment bodies, as author names, and as
 * TrackBack titles, excerpts and blog names through the real TrackBack door, then rendered by the
 * widget on a page without any CSP, and on the server's thread page. Any payload that ran would
 * call alert/confirm/prompt (replaced to set a flag), open a dialog, or request a URL other than
 * the widget's own; none may.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { XSS_CORPUS } from '../unit/xss-corpus.js';
import { launchChromium, postHtml, screenshot, startStack, type Stack } from './support.js';

let browser: Browser;
let stack: Stack;
let target: string;

before(async () => {
  browser = await launchChromium();
  // The sources are pages of the same blog, so self-pings must be allowed here.
  stack = await startStack({ BACKTALK_ALLOW_PRIVATE_FETCH: 'true', BACKTALK_ALLOW_SELF_PINGS: 'true', BACKTALK_MAX_LINKS: '1000' });
  target = stack.blog.origin + '/xss/post/';
  stack.blog.set('/xss/post/', { body: postHtml(stack.bt, target) });
  for (const [i, c] of XSS_CORPUS.entries()) {
    const asBody = await stack.bt.postJson('/comments', { target, author: `Body case ${i}`, body: c.payload });
    const asName = await stack.bt.postJson('/comments', { target, author: c.payload.slice(0, 100), body: `Name case ${i}` });
    stack.blog.set(`/source/${i}`, { body: `<html><head><title>s</title></head><body><a href="${target}">linked</a></body></html>` });
    const ping = await stack.bt.postForm(`/trackback?target=${encodeURIComponent(target)}`, {
      url: `${stack.blog.origin}/source/${i}`, title: c.payload, excerpt: c.payload, blog_name: c.payload,
    });
    const pingAnswer = await ping.text();
    assert.equal(asBody.status, 201, `${c.name} as a body: ${asBody.status}`);
    assert.equal(asName.status, 201, `${c.name} as a name: ${asName.status}`);
    assert.match(pingAnswer, /<error>0<\/error>/, `${c.name} as a trackback: ${pingAnswer}`);
  }
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

interface Watch {
  dialogs: string[];
  unexpected: string[];
}

/** Records dialogs and every request that is not the blog page or one of Backtalk's own endpoints. */
async function watchedPage(): Promise<{ page: Page; watch: Watch }> {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(20_000);
  await ctx.addInitScript(() => {
    const flag = () => {
      (window as unknown as { __pwned: number }).__pwned = 1;
    };
    window.alert = flag;
    window.confirm = () => (flag(), false);
    window.prompt = () => (flag(), null);
    window.print = flag;
  });
  const page = await ctx.newPage();
  const watch: Watch = { dialogs: [], unexpected: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  const bt = new URL(stack.bt.url);
  const allowed = [/^\/embed\.js$/, /^\/widget\/(interactive\.js|backtalk\.css)$/, /^\/thread$/, /^\/api\/(counts|preview)$/, /^\/avatar\/[0-9a-f]{20}\.svg$/];
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    const ours = u.host === bt.host && allowed.some((re) => re.test(u.pathname));
    const blogPage = u.origin === stack.blog.origin && u.pathname === '/xss/post/';
    if (!ours && !blogPage) {
      watch.unexpected.push(u.href);
      return route.abort();
    }
    return route.continue();
  });
  return { page, watch };
}

/** Nothing that can run script or load anything was rendered inside the thread. */
async function assertInert(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const scope = document.querySelector('.bt-thread')!;
    for (const el of scope.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) {
        if (/^on/i.test(attr) || attr === 'style' || attr === 'srcdoc' || attr === 'formaction') found.push(`${el.tagName} ${attr}`);
      }
      const tag = el.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'link', 'meta', 'base', 'template', 'video', 'audio', 'source'].includes(tag)) found.push(tag);
      if (tag === 'img' && !el.classList.contains('bt-avatar')) found.push('img');
      // The comment form, and the vote buttons' forms (contract v1.1), posting to Backtalk's own vote endpoint.
      const voteForm = el.classList.contains('bt-vote') && /^https?:\/\/[^/]+\/api\/comments\/\d+\/vote$/.test(el.getAttribute('action') ?? '');
      if (tag === 'form' && !el.classList.contains('bt-form') && !voteForm) found.push('form');
      if (tag === 'a' && el.hasAttribute('href')) {
        const href = el.getAttribute('href')!;
        if (!/^(https?:\/\/|mailto:|#comment-\d+$|#bt-form$)/i.test(href)) found.push(`a href=${href}`);
      }
    }
    return found;
  });
  assert.deepEqual(problems, []);
}

test('no payload runs in the widget: comment bodies, author names, linkback titles and excerpts', async () => {
  const { page, watch } = await watchedPage();
  await page.goto(target);
  await page.locator('.bt-thread').waitFor();
  // The thread is paged (contract v1.1): "show more" until every comment is in.
  while (await page.locator('.bt-more').count() > 0) {
    const shown = await page.locator('.bt-comment').count();
    await page.locator('.bt-more').click();
    await page.waitForFunction((n) => document.querySelectorAll('.bt-comment').length > n, shown);
  }
  await page.waitForFunction((n) => document.querySelectorAll('.bt-comment').length === n, XSS_CORPUS.length * 2);
  assert.equal(await page.locator('.bt-mention').count(), XSS_CORPUS.length, 'every trackback is listed under Mentions');
  // Load the interactive chunk too (it adds buttons and reads the fragment's data attributes).
  await page.focus('#bt-body');
  // Every tenth payload through the live preview as well.
  for (const c of XSS_CORPUS.filter((_, i) => i % 10 === 0)) {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/preview'));
    await page.fill('#bt-body', c.payload);
    await answered;
  }
  await page.locator('.bt-mention').last().hover();
  await page.waitForTimeout(500);
  await assertInert(page);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(watch.dialogs, []);
  assert.deepEqual(watch.unexpected, []);
  await screenshot(page, 'xss-widget');
  await page.context().close();
});

test('no payload runs on the server-rendered thread page', async () => {
  const { page, watch } = await watchedPage();
  await page.goto(`${stack.bt.url}/thread?target=${encodeURIComponent(target)}&limit=200`);
  // The thread is paged (contract v1.1): every page, by its plain "show more" link.
  let comments = 0;
  for (;;) {
    await page.locator('.bt-form').waitFor();
    await page.waitForTimeout(300);
    await assertInert(page);
    comments += await page.locator('.bt-comment').count();
    if ((await page.locator('.bt-more').count()) === 0) break;
    await page.goto((await page.locator('.bt-more').getAttribute('href'))!);
  }
  assert.equal(comments, XSS_CORPUS.length * 2, 'every comment was on a page');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(watch.dialogs, []);
  assert.deepEqual(watch.unexpected, []);
  await page.context().close();
});

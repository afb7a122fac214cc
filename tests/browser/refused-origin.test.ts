/**
 * A first embed that cannot fail silently (issue 17, point 5), in Chromium: the widget on a blog
 * whose origin is not one of BACKTALK_SITES shows readers a short neutral line and tells the owner in
 * the console (naming BACKTALK_SITES and the refused origin); the owner finds the origin, counted,
 * in the admin API. A post URL on another site gets the same neutral line and its own console note.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, postHtml, screenshot, startBlog, startStack, type Blog, type Stack } from './support.js';

let browser: Browser;
let blog: Blog;
let stack: Stack;

before(async () => {
  browser = await launchChromium();
  blog = await startBlog();
  // Backtalk serves https://blog.example only: the blog on 127.0.0.1 is not one of its sites.
  stack = await startStack({ BACKTALK_SITES: 'https://blog.example' }, blog);
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await blog?.close();
});

async function open(path: string, lang?: string, target?: string): Promise<{ page: Page; errors: string[] }> {
  blog.set(path, { body: postHtml(stack.bt, blog.origin + path, { lang, target }) });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(blog.origin + path);
  return { page, errors };
}

/** The widget's console note, once Chromium has reported it (console events arrive asynchronously). */
async function consoleNote(errors: string[]): Promise<string | undefined> {
  for (let i = 0; i < 50 && !errors.some((e) => e.startsWith('Backtalk:')); i++) await new Promise((r) => setTimeout(r, 100));
  return errors.find((e) => e.startsWith('Backtalk:'));
}

describe('the widget on a page outside BACKTALK_SITES', () => {
  test('shows readers a neutral line, tells the owner in the console, and the owner sees the origin counted', async () => {
    const { page, errors } = await open('/posts/first/');
    const line = page.locator('#backtalk .bt-unavailable');
    await line.waitFor();
    assert.equal(await line.textContent(), 'Comments are not available on this page.');
    assert.doesNotMatch(await page.locator('#backtalk').innerText(), /BACKTALK_SITES/, 'readers are not shown settings');
    const note = await consoleNote(errors);
    assert.ok(note, `a console error for the owner; got ${JSON.stringify(errors)}`);
    assert.ok(note.includes('BACKTALK_SITES'), note);
    assert.ok(note.includes(blog.origin), `names the refused origin: ${note}`);
    await screenshot(page, 'widget-refused-origin');
    await page.close();

    // In the reader's language.
    const de = await open('/posts/zweiter/', 'de');
    await de.page.locator('#backtalk .bt-unavailable', { hasText: 'Kommentare sind auf dieser Seite nicht verfügbar.' }).waitFor();
    await de.page.close();

    const res = await stack.bt.admin('/api/admin/origins');
    const { refused } = (await res.json()) as { refused: Array<{ origin: string; reason: string; count: number }> };
    const mine = refused.find((r) => r.origin === blog.origin);
    assert.ok(mine, `listed: ${JSON.stringify(refused)}`);
    assert.equal(mine.reason, 'not-in-sites');
    assert.ok(mine.count >= 2, `counted each page view: ${mine.count}`);
  });
});

describe('the widget with a post URL outside BACKTALK_SITES', () => {
  test('on an allowed page, a foreign data-target gets the neutral line and a console note naming the URL', async () => {
    const own = await startStack({}, blog);
    try {
      const path = '/posts/foreign-target/';
      blog.set(path, { body: postHtml(own.bt, blog.origin + path, { target: 'https://elsewhere.example/post/' }) });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(blog.origin + path);
      await page.locator('#backtalk .bt-unavailable').waitFor();
      const note = await consoleNote(errors);
      assert.ok(note?.includes('https://elsewhere.example/post/'), `names the post URL: ${JSON.stringify(errors)}`);
      assert.ok(note?.includes('BACKTALK_SITES'));
      await page.close();
    } finally {
      await own.close();
    }
  });
});

/**
 * With JavaScript off: the widget's container shows its noscript link; the server-rendered thread
 * page takes a comment and a reply through plain form posts, each coming back to /thread at the new
 * comment (issue 17.4: the post page cannot show it to a reader without JavaScript).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, postHtml, screenshot, startStack, type Stack } from './support.js';

let browser: Browser;
let stack: Stack;

before(async () => {
  browser = await launchChromium();
  stack = await startStack();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test('without JavaScript: post through /thread, come back to /thread at the comment; reply the same way', async () => {
  const url = stack.blog.origin + '/nojs/post/';
  stack.blog.set('/nojs/post/', { body: postHtml(stack.bt, url) });
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  const widgetRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/embed.js') || r.url().includes('fragment=1')) widgetRequests.push(r.url());
  });

  await page.goto(url);
  const link = page.getByRole('link', { name: 'Read and post comments without JavaScript' });
  await link.click();
  await page.waitForURL(/\/thread\?target=/);
  assert.equal(await page.locator('script').count(), 0, 'the thread page has no script at all');
  await page.getByLabel('Name').fill('Nora');
  await page.getByLabel('Comment', { exact: true }).fill('Posted *without* JavaScript');
  await screenshot(page, 'nojs-thread-form');
  await page.getByRole('button', { name: 'Post comment' }).click();

  // POST /comments from /thread answers 303 to /thread…#comment-ID: the page that can show it.
  const threadAt = new RegExp(`^${stack.bt.url.replace(/[.]/g, '\\.')}/thread\\?.*#comment-\\d+$`);
  await page.waitForURL(threadAt);
  const id = /#comment-(\d+)$/.exec(page.url())![1]!;
  const posted = page.locator(`#comment-${id}`);
  assert.match((await posted.locator('.bt-body').innerHTML()).trim(), /^<p>Posted <em>without<\/em> JavaScript<\/p>$/);
  assert.equal(await posted.locator('.bt-author').textContent(), 'Nora');

  // Reply: the link reloads the page with the form set to answer this comment.
  await posted.getByRole('link', { name: 'Reply' }).click();
  await page.waitForURL(new RegExp(`parent=${id}#bt-form$`));
  assert.match((await page.locator('.bt-replying').textContent()) ?? '', /Replying to Nora/);
  await page.getByLabel('Comment', { exact: true }).fill('A reply, also without JavaScript');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.waitForURL(threadAt);
  await page.locator(`#comment-${id} .bt-replies .bt-body`, { hasText: 'A reply, also without JavaScript' }).waitFor();
  await screenshot(page, 'nojs-thread-after-reply');

  // An invalid submission gets a readable HTML error page, not JSON.
  await page.getByLabel('Website').fill('javascript:alert(1)');
  await page.getByLabel('Comment', { exact: true }).fill('bad website');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByRole('alert').waitFor();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /website/i);

  assert.deepEqual(widgetRequests, [], 'no widget code was loaded');
  await ctx.close();
});

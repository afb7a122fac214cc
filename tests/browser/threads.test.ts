/**
 * Big threads and votes in Chromium (issue 17 points 1 and 2): a 1,000-comment thread opens at its
 * first page with "show more", the order is a reader's choice that the next page view remembers,
 * like/dislike count once per reader; and the same without JavaScript on /thread.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedThread, type SeededThread } from '../threads/support.js';
import { launchChromium, postHtml, screenshot, startStack, type Stack } from './support.js';

let browser: Browser;
let stack: Stack;
let big: SeededThread;
let bigUrl: string;

before(async () => {
  browser = await launchChromium();
  stack = await startStack();
  bigUrl = stack.blog.origin + '/big/post/';
  stack.blog.set('/big/post/', { body: postHtml(stack.bt, bigUrl, { title: 'A big thread' }) });
  // 1,000 comments, every fifth a reply: 800 top-level.
  big = await seedThread(stack.bt.deps.store, bigUrl, 1000, 5);
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

const topLevelIds = (page: Page) => page.$$eval('.bt-comments > .bt-comment', (items) => items.map((li) => Number(li.getAttribute('data-bt-id'))));

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('#backtalk .bt-thread').waitFor();
}

describe('a 1,000-comment thread in the widget', () => {
  test('shows the first page of 50 top-level comments with their replies, then "show more" appends the next page', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await open(page, bigUrl);
    assert.equal(await page.locator('.bt-title').textContent(), '1000 comments', 'the heading counts the whole thread');
    assert.deepEqual(await topLevelIds(page), big.top.slice(0, 50));
    const replies = big.top.slice(0, 50).flatMap((id) => big.replies.get(id)!);
    assert.equal(await page.locator('.bt-replies .bt-comment').count(), replies.length, 'each top-level comment comes with its replies');
    await screenshot(page, 'threads-first-page');

    await page.getByRole('link', { name: 'Show more comments' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.bt-comments > .bt-comment').length === 100);
    assert.deepEqual(await topLevelIds(page), big.top.slice(0, 100), 'the next page continues where the first ended, nothing twice');
    assert.equal(await page.evaluate(() => location.pathname), '/big/post/', 'the reader stays on the post');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('.bt-comment')?.getAttribute('data-bt-id')), String(big.top[50]),
      'focus moves to the first comment that came in');
    await page.getByRole('link', { name: 'Show more comments' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.bt-comments > .bt-comment').length === 150);
    await ctx.close();
  });

  test('the sort links reorder the thread, and the choice is remembered on the next page view', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await open(page, bigUrl);
    await page.locator('.bt-sort-link', { hasText: 'Newest' }).click();
    await page.waitForFunction((id) => document.querySelector('.bt-comments > .bt-comment')?.getAttribute('data-bt-id') === String(id), big.top.at(-1));
    assert.deepEqual(await topLevelIds(page), [...big.top].reverse().slice(0, 50));
    assert.equal(await page.locator('.bt-sort-link[aria-current]').textContent(), 'Newest');
    await page.getByRole('link', { name: 'Show more comments' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.bt-comments > .bt-comment').length === 100);
    assert.deepEqual(await topLevelIds(page), [...big.top].reverse().slice(0, 100), '"show more" keeps the order');

    const again = await ctx.newPage();
    const fragments: string[] = [];
    again.on('request', (r) => {
      if (r.url().includes('fragment=1')) fragments.push(r.url());
    });
    await open(again, bigUrl);
    assert.equal((await topLevelIds(again))[0], big.top.at(-1), 'the reader\'s order is remembered');
    assert.match(fragments[0] ?? '', /&sort=newest/);
    await ctx.close();
  });
});

describe('posting into a paged thread', () => {
  test('a new comment on the last page (oldest first) is brought in and shown after posting', async () => {
    const url = stack.blog.origin + '/paged/post/';
    stack.blog.set('/paged/post/', { body: postHtml(stack.bt, url) });
    await seedThread(stack.bt.deps.store, url, 120);
    const page = await (await browser.newContext()).newPage();
    await open(page, url);
    assert.equal(await page.locator('.bt-comments > .bt-comment').count(), 50);
    await page.fill('#bt-body', 'Late to the party');
    await page.click('.bt-submit');
    await page.locator('.bt-comment .bt-body', { hasText: 'Late to the party' }).waitFor();
    assert.equal(await page.locator('.bt-status').textContent(), 'Your comment was posted.');
    assert.equal(await page.locator('.bt-comments > .bt-comment').count(), 121, 'the pages up to the new comment were loaded');
    await page.context().close();
  });
});

describe('votes in the widget', () => {
  test('like counts once per reader, a second press withdraws it, dislike replaces like; another reader adds theirs', async () => {
    const url = stack.blog.origin + '/votes/post/';
    stack.blog.set('/votes/post/', { body: postHtml(stack.bt, url) });
    const seeded = await seedThread(stack.bt.deps.store, url, 3);
    const id = seeded.top[1]!;
    const counts = async () => {
      const res = await stack.bt.request(`/api/comments?target=${encodeURIComponent(url)}`);
      const c = ((await res.json()) as { comments: Array<{ id: number; likes: number; dislikes: number }> }).comments.find((x) => x.id === id)!;
      return [c.likes, c.dislikes];
    };
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await open(page, url);
    const form = page.locator(`#comment-${id} form.bt-vote`);
    await form.locator('.bt-like').click();
    await form.locator('.bt-likes', { hasText: '1' }).waitFor();
    assert.equal(await form.locator('.bt-like').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await counts(), [1, 0]);

    // The same reader on a new page view: the voter id is remembered, so pressing again withdraws.
    const later = await ctx.newPage();
    await open(later, url);
    const laterForm = later.locator(`#comment-${id} form.bt-vote`);
    await later.locator(`#comment-${id} .bt-like[aria-pressed=true]`).waitFor();
    await laterForm.locator('.bt-like').click();
    await laterForm.locator('.bt-likes', { hasText: '0' }).waitFor();
    assert.deepEqual(await counts(), [0, 0]);
    await laterForm.locator('.bt-like').click();
    await laterForm.locator('.bt-likes', { hasText: '1' }).waitFor();
    await laterForm.locator('.bt-dislike').click();
    await laterForm.locator('.bt-dislikes', { hasText: '1' }).waitFor();
    assert.equal(await laterForm.locator('.bt-likes').textContent(), '0', 'a dislike replaces the like');
    assert.deepEqual(await counts(), [0, 1]);

    const other = await (await browser.newContext()).newPage();
    await open(other, url);
    await other.locator(`#comment-${id} > article .bt-like`).click();
    await other.locator(`#comment-${id} > article .bt-likes`, { hasText: '1' }).waitFor();
    assert.deepEqual(await counts(), [1, 1], 'another reader is another vote');
    await screenshot(other, 'threads-votes');
    await other.context().close();
    await ctx.close();
  });
});

describe('without JavaScript', () => {
  test('/thread shows the first page, a plain link to the next one and to each order; the vote buttons post and come back', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${stack.bt.url}/thread?target=${encodeURIComponent(bigUrl)}`);
    assert.deepEqual(await topLevelIds(page), big.top.slice(0, 50));
    await page.getByRole('link', { name: 'Show more comments' }).click();
    await page.waitForURL(/cursor=/);
    assert.deepEqual(await topLevelIds(page), big.top.slice(50, 100), 'the next page');
    // Replying to a comment of this page opens the form on the same page, replying to it.
    await page.locator(`#comment-${big.top[60]} > article .bt-reply`).click();
    await page.waitForURL(/parent=/);
    assert.deepEqual(await topLevelIds(page), big.top.slice(50, 100), 'still the same page');
    assert.match((await page.locator('.bt-replying').textContent()) ?? '', /Replying to/);
    assert.equal(await page.locator('input[name=parent]').inputValue(), String(big.top[60]));
    await page.locator('.bt-sort-link', { hasText: 'Newest' }).click();
    await page.waitForURL(/sort=newest/);
    assert.deepEqual(await topLevelIds(page), [...big.top].reverse().slice(0, 50));

    const id = big.top.at(-1)!;
    await page.locator(`#comment-${id} > article .bt-like`).click();
    await page.waitForURL(new RegExp(`sort=newest#comment-${id}$`));
    assert.equal(await page.locator(`#comment-${id} > article .bt-likes`).textContent(), '1');
    await page.locator(`#comment-${id} > article .bt-like`).click();
    await page.waitForURL(new RegExp(`#comment-${id}$`));
    assert.equal(await page.locator(`#comment-${id} > article .bt-likes`).textContent(), '1', 'the cookie keeps it one vote');
    await screenshot(page, 'threads-nojs-voted');
    await ctx.close();
  });
});

/**
 * Issue 17.3 and 17.4 in Chromium: the owner replies, pins and edits from the admin page, and the
 * reply shows with the owner badge in the widget; a reader's held comment stays visible to that
 * reader (widget and no-JavaScript /thread), marked awaiting moderation, and to nobody else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN } from '../helpers/test-server.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildAdmin } from '../../scripts/build-admin.mjs';
import { apiComment, launchChromium, postHtml, screenshot, startStack, type Stack } from './support.js';

let browser: Browser;

before(async () => {
  await buildAdmin();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A new browser context with the admin page open and signed in with the token. */
async function signedInAdmin(stack: Stack) {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(10_000);
  const admin = await ctx.newPage();
  await admin.goto(`${stack.bt.url}/admin`);
  await admin.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  return { ctx, admin };
}

describe('the owner on the admin page', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ BACKTALK_OWNER_NAME: 'Blog Owner' });
  });
  after(() => stack.close());

  test('replies to a comment as the site, pins it, edits a comment; the widget shows the badge, the pin and the marker', async () => {
    const url = stack.blog.origin + '/owner/post/';
    stack.blog.set('/owner/post/', { body: postHtml(stack.bt, url) });
    const first = await apiComment(stack.bt, url, { body: 'First, and a question', author: 'Ann' });
    const second = await apiComment(stack.bt, url, { body: 'Second, sloppily wrtten', author: 'Bo' });

    const { ctx, admin } = await signedInAdmin(stack);
    await admin.getByRole('tab', { name: /Approved/ }).click();
    const item = (id: number) => admin.locator(`.bta-item[data-id="${id}"]`);
    await item(first.id).waitFor();

    // Reply as the site.
    await item(first.id).getByRole('button', { name: 'Reply', exact: true }).click();
    await item(first.id).getByLabel('Your reply, published at once as the site owner').fill('Good question: *yes*.');
    await item(first.id).getByRole('button', { name: 'Publish reply' }).click();
    await admin.getByRole('status').filter({ hasText: `Reply to comment ${first.id} published.` }).waitFor();
    const listed = (await (await stack.bt.request(`/api/comments?target=${encodeURIComponent(url)}`)).json()) as
      { comments: Array<{ id: number; parent: number | null; owner: boolean; author: string; body_html: string }> };
    const reply = listed.comments.find((c) => c.owner);
    assert.ok(reply, 'an owner comment was stored');
    assert.equal(reply.parent, first.id);
    assert.equal(reply.author, 'Blog Owner');
    assert.match(reply.body_html, /<em>yes<\/em>/);
    await item(reply.id).locator('.bta-owner-badge', { hasText: 'Site owner' }).waitFor();

    // Pin the second comment, edit its text as a moderator.
    await item(second.id).getByRole('button', { name: 'Pin to top' }).click();
    await admin.getByRole('status').filter({ hasText: `Comment ${second.id}: pinned.` }).waitFor();
    await item(second.id).getByRole('button', { name: 'Edit', exact: true }).click();
    await item(second.id).getByLabel(`Text of comment ${second.id}`).fill('Second, tidily written');
    await item(second.id).getByRole('button', { name: 'Save', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: `Comment ${second.id} saved` }).waitFor();
    await item(second.id).locator('.bta-pinned-badge').waitFor();
    assert.equal((await stack.bt.deps.store.comments.findById(second.id))?.editedBy, 'moderator');
    await screenshot(admin, 'owner-admin-reply-pin-edit');

    // The reader's view: pinned first, the owner's badge, the moderator's marker.
    const reader = await (await browser.newContext()).newPage();
    await reader.goto(url);
    await reader.locator('#backtalk .bt-form').waitFor();
    const order = await reader.locator('.bt-comments > li').evaluateAll((lis) => lis.map((li) => li.id));
    assert.deepEqual(order, [`comment-${second.id}`, `comment-${first.id}`]);
    await reader.locator(`#comment-${second.id} .bt-pinned-badge`, { hasText: 'Pinned' }).waitFor();
    await reader.locator(`#comment-${second.id} .bt-edited`, { hasText: 'edited by a moderator' }).waitFor();
    const ownerItem = reader.locator(`#comment-${first.id} .bt-replies #comment-${reply.id}`);
    await ownerItem.locator('.bt-owner-badge', { hasText: 'Site owner' }).waitFor();
    assert.equal(await reader.locator('.bt-owner-badge').count(), 1);
    await screenshot(reader, 'owner-widget-badge-pinned');
    await reader.context().close();
    await ctx.close();
  });

  test('writes a top-level comment on a post from the Threads tab, published at once as the site', async () => {
    const url = stack.blog.origin + '/owner/second-post/';
    await apiComment(stack.bt, url, { body: 'A reader opens the thread', author: 'Cy' });
    const { ctx, admin } = await signedInAdmin(stack);
    await admin.getByRole('tab', { name: 'Threads' }).click();
    const thread = admin.locator('.bta-thread').filter({ hasText: url });
    await thread.getByRole('button', { name: 'Write a comment' }).click();
    await thread.getByLabel('Your comment on this post, published at once as the site owner').fill('Thanks for reading, all.');
    await thread.getByRole('button', { name: 'Publish comment' }).click();
    await admin.getByRole('status').filter({ hasText: `Your comment on ${url} is published.` }).waitFor();
    const listed = (await (await stack.bt.request(`/api/comments?target=${encodeURIComponent(url)}`)).json()) as
      { comments: Array<{ parent: number | null; owner: boolean; author: string; body_html: string }> };
    const mine = listed.comments.filter((c) => c.owner);
    assert.equal(mine.length, 1, 'one owner comment, public at once');
    assert.equal(mine[0]!.parent, null, 'top-level, not a reply');
    assert.equal(mine[0]!.author, 'Blog Owner');
    assert.match(mine[0]!.body_html, /Thanks for reading, all\./);
    // The form closes once published, so a second click is a new comment, not a resend.
    assert.equal(await thread.locator('textarea').count(), 0);
    await ctx.close();
  });
});

describe('a reader sees their held comment', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ BACKTALK_MODERATION: 'all' });
  });
  after(() => stack.close());

  test('in the widget: marked awaiting moderation, still there after a reload, invisible to another reader, normal once approved', async () => {
    const url = stack.blog.origin + '/held/post/';
    stack.blog.set('/held/post/', { body: postHtml(stack.bt, url) });
    await apiComment(stack.bt, url, { body: 'Somebody else, also held', author: 'Other' });
    const ctx = await browser.newContext();
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await page.goto(url);
    await page.fill('#bt-author', 'Hana');
    await page.fill('#bt-body', 'My comment, waiting');
    await page.click('.bt-submit');
    await page.locator('.bt-status', { hasText: 'awaiting moderation' }).waitFor();
    const mine = page.locator('.bt-comment.bt-held', { hasText: 'My comment, waiting' });
    await mine.locator('.bt-held-note', { hasText: 'Awaiting moderation: only you can see it' }).waitFor();
    assert.equal(await page.locator('.bt-comment').count(), 1, 'someone else\'s held comment is not shown');
    assert.equal(await page.locator('.bt-title').textContent(), '0 comments');
    const id = Number((await mine.getAttribute('id'))!.replace('comment-', ''));
    await screenshot(page, 'held-widget');

    await page.reload();
    await page.locator(`#comment-${id}.bt-held .bt-held-note`).waitFor();

    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(url);
    await stranger.locator('#backtalk .bt-form').waitFor();
    await stranger.locator('.bt-form').click();
    await stranger.waitForTimeout(300);
    assert.equal(await stranger.locator('.bt-comment').count(), 0);
    await stranger.context().close();

    await stack.bt.admin(`/api/admin/comments/${id}`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
    await page.reload();
    await page.locator(`#comment-${id}:not(.bt-held)`).waitFor();
    await page.waitForFunction(() => localStorage.getItem('backtalk:held') === '{}');
    assert.equal(await page.locator('.bt-held-note').count(), 0);
    await ctx.close();
  });

  test('without JavaScript: /thread shows the author their held comment at #comment-ID; another reader does not see it', async () => {
    const url = stack.blog.origin + '/held/nojs/';
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await page.goto(`${stack.bt.url}/thread?target=${encodeURIComponent(url)}`);
    await page.getByLabel('Name').fill('Ivo');
    await page.getByLabel('Comment', { exact: true }).fill('Held, seen without JavaScript');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(/\/thread\?.*#comment-\d+$/);
    const id = /#comment-(\d+)$/.exec(page.url())![1]!;
    const mine = page.locator(`#comment-${id}.bt-held`);
    await mine.locator('.bt-held-note', { hasText: 'Awaiting moderation' }).waitFor();
    assert.match((await mine.locator('.bt-body').textContent()) ?? '', /Held, seen without JavaScript/);
    await screenshot(page, 'held-nojs');

    const other = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await other.goto(page.url());
    await other.locator('.bt-form').waitFor();
    assert.equal(await other.locator(`#comment-${id}`).count(), 0);
    await other.context().close();
    await ctx.close();
  });
});

/**
 * The admin page's "Sent" tab in Chromium: each post with each link's protocol, state and the
 * receiver's answer (shown as text, never as markup), "Send again" for a failed link, and a plain
 * notice when BACKTALK_SEND=off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, type TestServer } from '../helpers/test-server.js';
import { launchChromium, screenshot } from '../browser/support.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildAdmin } from '../../scripts/build-admin.mjs';
import { postPage, sendAndWait, startScriptedServer, startSender, webmentionEndpoint, type ScriptedServer } from './support.js';

async function openSent(browser: Browser, server: TestServer): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('dialog', () => assert.fail('a dialog opened: markup from a receiver ran'));
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Sent' }).click();
  return page;
}

describe('/admin Sent tab', () => {
  let browser: Browser;
  let blog: ScriptedServer;
  let other: ScriptedServer;
  before(async () => {
    await buildAdmin();
    browser = await launchChromium();
    blog = await startScriptedServer();
    other = await startScriptedServer();
  });
  after(async () => {
    await browser?.close();
    await blog.close();
    await other.close();
  });

  it('lists each link with its outcome and the receiver\'s message; Send again re-sends a failed one', async (t) => {
    const sender = await startSender(blog.origin);
    t.after(() => sender.close());
    let accept = false;
    other.page('/t', '<html><head><link rel="webmention" href="/wm"></head></html>');
    webmentionEndpoint(other, '/wm', () => (accept ? { status: 202, body: 'ok' } : { status: 400, body: 'no link <img src=x onerror=alert(1)>' }));
    const post = blog.url('/post/');
    blog.page('/post/', postPage(post, [other.url('/t')], { title: 'My sent post' }));
    await sendAndWait(sender, post);

    const page = await openSent(browser, sender);
    const row = page.locator('.bta-sent tr', { hasText: other.url('/t') });
    await row.waitFor();
    assert.match(await row.innerText(), /webmention\s+failed\s+HTTP 400: no link/);
    assert.equal(await page.locator('.bta-sent img').count(), 0, 'the answer is text, not markup');
    assert.match(await page.locator('.bta-sent').innerText(), /My sent post/);
    await screenshot(page, 'admin-sent');

    accept = true;
    await row.getByRole('button', { name: 'Send again' }).click();
    await page.getByText(`Queued ${other.url('/t')} again.`).waitFor();
    await sender.deps.sends.drain();
    await page.getByRole('tab', { name: 'Sent' }).click();
    await page.locator('.bta-sent tr', { hasText: 'sent' }).filter({ hasText: other.url('/t') }).waitFor();
    assert.equal(other.to('/wm').length, 2);
  });

  it('says plainly that sending is off', async (t) => {
    const sender = await startSender(blog.origin, { BACKTALK_SEND: 'off' });
    t.after(() => sender.close());
    const page = await openSent(browser, sender);
    await page.getByText('Sending is OFF (BACKTALK_SEND=off)', { exact: false }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send', exact: true }).isVisible(), false, 'no send form');
  });
});

/**
 * The moderation page as an owner uses it day to day (issue 17, point 6), in Chromium: on a phone
 * (390×844, touch) no view is wider than the screen and the main actions are on screen and work;
 * one sign-in serves every tab and outlives the browser (a persistent HttpOnly cookie); failed
 * deliveries are retried from the Deliveries tab; refused page origins are listed under Sites; "sign
 * out everywhere" ends every tab's session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';

import { ADMIN_TOKEN, POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/support.js';
import { launchChromium, screenshot } from './support.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildAdmin } from '../../scripts/build-admin.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const TABS = ['pending', 'approved', 'spam', 'trash', 'search', 'linkbacks', 'threads', 'words', 'sent', 'outbox', 'origins'];

let browser: Browser;
let server: TestServer;
let receiver: WebhookReceiver;

before(async () => {
  await buildAdmin();
  browser = await launchChromium();
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    BACKTALK_MODERATION: 'all', BACKTALK_WEBHOOK_URL: receiver.url, BACKTALK_WEBHOOK_SECRET: 'webhook-secret-0123456789',
  }, { outboxTuning: { maxAttempts: 1, pollMs: 60_000 } });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: /Pending/ }).waitFor();
}

/** Elements that reach past the right edge of the screen (none may), and the page's own width. */
async function overflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // Inside a horizontal scroll box (the linkback table) is fine: the page itself does not scroll.
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.closest('.bta-scroll') === null && e.getBoundingClientRect().right > width + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide };
  });
}

async function onScreen(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().waitFor();
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is shown`);
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.viewport.width, `${selector} fits the screen: ${JSON.stringify(box)}`);
  assert.ok(box.height >= 40, `${selector} is big enough for a thumb: ${box.height}px`);
}

describe('/admin on a phone', () => {
  it('fits 390 px in every view, and approve, spam, retry and sign-out are on screen and work', async () => {
    const long = 'https://a-really-long-domain-name-for-a-blog.example/with/a/very/long/path/that/will/not/wrap/on/its/own/at/all';
    const res = await server.postJson('/comments', { target: POST, author: 'A reader with quite a long name indeed', body: `Look: ${long}`, url: long, email: 'long.address.for.testing@mail.example' });
    const { id } = (await res.json()) as { id: number };
    const spam = (await (await server.postJson('/comments', { target: POST, author: 'Spammer', body: 'cheap pills' })).json()) as { id: number };
    // A failed webhook delivery for the Deliveries tab, and a refused origin for the Sites tab.
    receiver.failing = true;
    await server.deps.notifier.drain();
    await server.deps.outbox.drain();
    const [failed] = await server.deps.store.outbox.listByStatus('failed', 10);
    assert.ok(failed, 'a failed delivery to retry');
    await server.request(`/thread?fragment=1&target=${encodeURIComponent(POST)}`, { headers: { origin: 'https://www.blog.example' } });

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page);
    await page.locator(`.bta-item[data-id="${id}"]`).waitFor();
    await screenshot(page, 'admin-phone-pending');

    for (const key of TABS) {
      await page.locator(`[data-tab="${key}"]`).click();
      await page.waitForLoadState('networkidle');
      const o = await overflow(page);
      assert.equal(o.scrollWidth, o.clientWidth, `${key}: the page scrolls sideways (${JSON.stringify(o.wide.slice(0, 5))})`);
      assert.deepEqual(o.wide, [], `${key}: wider than the screen`);
    }

    await page.locator('[data-tab="pending"]').click();
    const approve = `.bta-item[data-id="${id}"] .bta-actions button[data-action="approve"]`;
    await onScreen(page, approve);
    await onScreen(page, '.bta-signout');
    await page.locator(approve).tap();
    await page.getByRole('status').filter({ hasText: `Comment ${id}: approved.` }).waitFor();
    assert.equal((await server.deps.store.comments.findById(id))?.status, 'approved');
    const markSpam = `.bta-item[data-id="${spam.id}"] .bta-actions button[data-action="spam"]`;
    await onScreen(page, markSpam);
    await page.locator(markSpam).tap();
    await page.getByRole('status').filter({ hasText: `Comment ${spam.id}: marked as spam.` }).waitFor();

    // Deliveries: the failed webhook call, retried once the receiver is back.
    await page.locator('[data-tab="outbox"]').click();
    const retry = `.bta-delivery[data-id="${failed.id}"] .bta-retry`;
    await page.locator(retry).waitFor();
    await screenshot(page, 'admin-phone-deliveries');
    await onScreen(page, retry);
    receiver.failing = false;
    await page.locator(retry).tap();
    await page.getByRole('status').filter({ hasText: `Delivery #${failed.id} queued again.` }).waitFor();
    await server.deps.outbox.drain();
    assert.deepEqual(receiver.calls.map((c) => c.headers['x-backtalk-delivery']), [String(failed.id)], 'the retried call arrived, once');

    // Sites: what is served, and the refused origin with its likely mistake.
    await page.locator('[data-tab="origins"]').click();
    const refused = page.locator('.bta-refused [data-origin="https://www.blog.example"]');
    await refused.waitFor();
    assert.match(await refused.innerText(), /http:\/\/blog\.example with or without “www\.”/);
    assert.match(await page.locator('.bta-sites').innerText(), /http:\/\/blog\.example/);
    await screenshot(page, 'admin-phone-sites');
    await context.close();
  });
});

describe('admin sign-in', () => {
  it('lasts across tabs and browser restarts, and "sign out everywhere" ends it in every tab', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await signIn(first);

    // Another tab: signed in without asking.
    const second = await context.newPage();
    await second.goto(`${server.url}/admin`);
    await second.getByRole('tab', { name: /Pending/ }).waitFor();

    // A browser restart keeps persistent cookies: the cookie has an expiry (30 days by default),
    // and a new browser context with the saved cookies is signed in.
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'backtalk_admin');
    assert.ok(cookie.expires * 1000 > Date.now() + 29 * 86400_000, `persistent for 30 days: ${cookie.expires}`);
    assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.secure], [true, 'Strict', false]);
    const restarted = await browser.newContext({ storageState: await context.storageState() });
    const later = await restarted.newPage();
    await later.goto(`${server.url}/admin`);
    await later.getByRole('tab', { name: /Pending/ }).waitFor();

    // Sign out everywhere, from the first tab: the restarted browser is signed out too.
    await first.getByRole('button', { name: 'Sign out everywhere' }).click();
    await first.getByText('Signed out in every browser.').waitFor();
    await later.reload();
    await later.getByLabel('Admin token').waitFor();
    await second.reload();
    await second.getByLabel('Admin token').waitFor();
    await restarted.close();
    await context.close();
  });
});

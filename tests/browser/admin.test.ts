/**
 * The moderation page in Debian's Chromium (playwright-core): sign in (a wrong token refused), the
 * queues with counts, approve, spam, bulk trash, search, close a thread, blocked words, keyboard use,
 * the page's own CSP, and an XSS corpus in every field the admin shows that never runs script.
 * Missing Chromium is a failure with a clear message, never a skip.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

import { ADMIN_TOKEN, POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { XSS_CORPUS } from '../unit/xss-corpus.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildAdmin } from '../../scripts/build-admin.mjs';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(process.cwd(), 'tests', 'screenshots');
const OTHER_POST = `${SITE}/2026/11/second/`;

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the admin browser tests need Debian's "chromium" package (apt-get install chromium; .ci/run installs it).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Anything a payload could do to show it ran: the flag, a dialog, or a CSP violation (markup that got live). */
interface Tripwires { dialogs: string[] }

async function openPage(browser: Browser): Promise<{ page: Page; trip: Tripwires }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const trip: Tripwires = { dialogs: [] };
  page.on('dialog', (dialog) => {
    trip.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __pwned: unknown[]; __violations: string[] };
    w.__pwned = [];
    w.__violations = [];
    for (const name of ['alert', 'confirm', 'prompt'] as const) {
      const original = window[name].bind(window);
      (window as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        w.__pwned.push(`${name}(${args.join(',')})`);
        return (original as (...a: unknown[]) => unknown)(...args);
      };
    }
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { page, trip };
}

async function signIn(page: Page, server: TestServer, token = ADMIN_TOKEN): Promise<void> {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const tab = (page: Page, name: RegExp | string) => page.getByRole('tab', { name });
const item = (page: Page, id: number) => page.locator(`.bta-item[data-id="${id}"]`);

async function post(server: TestServer, fields: Record<string, unknown>, ip = '198.51.100.1'): Promise<number> {
  const res = await server.postJson('/comments', { target: POST, ...fields }, { 'x-forwarded-for': ip });
  const text = await res.text();
  assert.equal(res.status, 201, `POST /comments answered ${res.status}: ${text}`);
  return (JSON.parse(text) as { id: number }).id;
}

async function statusOf(server: TestServer, id: number): Promise<string | undefined> {
  return (await server.deps.store.comments.findById(id))?.status;
}

let browser: Browser;

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await buildAdmin();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('/admin in Chromium', () => {
  it('serves a strict CSP and framing/sniffing protections with the page and its assets', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const res = await server.request('/admin');
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
      "img-src 'self' data:", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
      assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
    }
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'an inline script');
    assert.doesNotMatch(html, /<style|\sstyle=/i, 'an inline style');
    const js = await server.request('/admin/admin.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const parsesHtml = /innerHTML|insertAdjacentHTML|outerHTML|document\.write|eval\(/.exec(await js.text());
    assert.equal(parsesHtml, null, `the bundle must not parse HTML, but uses ${parsesHtml?.[0]}`);
    assert.equal((await server.request('/admin/other.js')).status, 404);
    const slash = await server.request('/admin/');
    assert.equal(slash.status, 301, 'a trailing slash would break the relative asset URLs');
    assert.equal(new URL(slash.headers.get('location')!, `${server.url}/admin/`).pathname, '/admin');
  });

  it('signs in, moderates one by one and in bulk, searches, closes a thread, edits blocked words', async (t) => {
    const server = await startTestServer({ BACKTALK_MODERATION: 'all', BACKTALK_TRUST_PROXY: 'true', BACKTALK_KEEP_IP: 'true' });
    t.after(() => server.close());
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await post(server, { body: `Comment number ${i}`, author: `Reader ${i}`, email: `reader${i}@mail.example` }));
    const needle = await post(server, { body: 'Where can I buy a zeppelin?', author: 'Zed', email: 'zed@air.example' }, '203.0.113.77');
    await post(server, { target: OTHER_POST, body: 'on another post' });
    const { page, trip } = await openPage(browser);
    t.after(() => page.context().close());

    const response = await page.goto(`${server.url}/admin`);
    assert.ok(response?.headers()['content-security-policy']?.includes("default-src 'none'"));

    await signIn(page, server, 'not-the-token-at-all-000');
    await page.getByRole('alert').filter({ hasText: 'That token was refused.' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused token is not kept');
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-signin-refused.png') });

    await signIn(page, server);
    await tab(page, /Pending \(7\)/).waitFor();
    // The token is traded for an HttpOnly session cookie: kept nowhere a script could read it.
    assert.deepEqual(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie]), [0, 0, '']);
    const [cookie] = await page.context().cookies();
    assert.deepEqual([cookie?.name, cookie?.httpOnly, cookie?.sameSite], ['backtalk_admin', true, 'Strict']);
    await item(page, needle).waitFor();
    assert.equal(await page.locator('.bta-item').count(), 7);
    assert.equal(await item(page, needle).locator('.bta-author bdi').textContent(), 'Zed', 'the name is isolated in <bdi>');
    assert.match(await item(page, needle).innerText(), /zed@air\.example[\s\S]*203\.0\.113\.77/);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-pending.png'), fullPage: true });

    // Approve one, spam another.
    await item(page, ids[0]!).getByRole('button', { name: 'Approve' }).click();
    await tab(page, /Pending \(6\)/).waitFor();
    await tab(page, /Approved \(1\)/).waitFor();
    assert.equal(await statusOf(server, ids[0]!), 'approved');
    await item(page, ids[1]!).getByRole('button', { name: 'Spam' }).click();
    await tab(page, /Spam \(1\)/).waitFor();
    assert.equal(await statusOf(server, ids[1]!), 'spam');
    await item(page, ids[1]!).waitFor({ state: 'detached' });

    // Bulk: two boxes ticked, trashed together.
    await page.getByLabel(`Select comment ${ids[2]} by Reader 2`).check();
    await page.getByLabel(`Select comment ${ids[3]} by Reader 3`).check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Trash selected' }).click();
    await tab(page, /Trash \(2\)/).waitFor();
    assert.deepEqual([await statusOf(server, ids[2]!), await statusOf(server, ids[3]!)], ['trash', 'trash']);
    assert.equal(await statusOf(server, ids[4]!), 'pending');
    await page.getByRole('status').filter({ hasText: 'moved to trash: 2 done' }).waitFor();

    // Select all, then delete asks twice.
    await tab(page, /Trash/).click();
    await page.getByLabel('Select all').check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByRole('button', { name: 'Really delete 2?' }).click();
    await tab(page, /Trash \(0\)/).waitFor();
    assert.equal(await statusOf(server, ids[2]!), undefined);

    // Search by IP.
    await tab(page, 'Search').click();
    await page.getByLabel('Search for').fill('203.0.113.77');
    await page.getByLabel('in', { exact: true }).selectOption('ip');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await item(page, needle).waitFor();
    assert.equal(await page.locator('.bta-item').count(), 1);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-search.png'), fullPage: true });

    // Close the first post's thread to comments.
    await tab(page, 'Threads').click();
    const thread = page.locator('.bta-thread').filter({ hasText: POST });
    await thread.getByLabel('Comments closed').check();
    await page.getByRole('status').filter({ hasText: 'Comments closed: yes' }).waitFor();
    assert.equal((await server.deps.store.threads.findByTarget(POST))?.commentsClosed, true);
    assert.equal((await server.postJson('/comments', { target: POST, body: 'late' })).status, 403);
    assert.equal((await server.deps.store.threads.findByTarget(OTHER_POST))?.commentsClosed, false);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-threads.png'), fullPage: true });

    // Blocked words, saved and in force for the next comment.
    await tab(page, 'Blocked words').click();
    await page.getByLabel('Blocked words and phrases, one per line').fill('zeppelin\nAirship');
    await page.getByRole('button', { name: 'Save blocked words' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 2 blocked words.' }).waitFor();
    const flagged = await post(server, { target: OTHER_POST, body: 'a fine AIRSHIP' });
    assert.equal(await statusOf(server, flagged), 'spam');

    // Keyboard: arrows move between tabs (WAI-ARIA tabs), and the selected tab is the one focused.
    await tab(page, 'Blocked words').focus();
    await page.keyboard.press('Home');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-tab')), 'pending');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-tab')), 'approved');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-tab')), 'pending', 'arrows wrap around');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-tab')), 'search', 'arrows stay on the tabs');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await item(page, ids[0]!).waitFor();

    // Sign out ends the session: a reload asks for the token again.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Admin token').waitFor();
    assert.deepEqual(await page.context().cookies(), []);
    await page.reload();
    await page.getByLabel('Admin token').waitFor();

    assert.deepEqual(trip.dialogs, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
  });

  it('shows an XSS corpus in bodies, names, URLs and linkback titles as text, and no script runs', async (t) => {
    const server = await startTestServer({ BACKTALK_MODERATION: 'all', BACKTALK_VERIFY_TRACKBACKS: 'false' });
    t.after(() => server.close());
    // Each payload twice: as written (alert → a dialog or the alert hook) and setting the flag directly.
    const payloads = [...new Set(XSS_CORPUS.flatMap((c) => [c.payload, c.payload.replaceAll('alert(1)', 'window.__pwned.push(1)')]))];
    let stored = 0;
    for (const [i, payload] of payloads.entries()) {
      // Own e-mail each: some payloads are equal once normalized (NUL bytes dropped), and would be duplicates.
      const fields = { target: POST, body: payload, author: payload.slice(0, 100), email: `p${i}@mail.example` };
      const res = await server.postJson('/comments', { ...fields, url: payload });
      if (res.status === 400) {
        // The url field refuses most payloads: the same body and name without it.
        assert.equal((await server.postJson('/comments', fields)).status, 201);
      } else assert.equal(res.status, 201, `payload ${i}`);
      stored += 1;
      if (i % 4 === 0) {
        const ping = await server.postForm(`/trackback?target=${encodeURIComponent(OTHER_POST)}`, {
          url: `https://pinger${i}.example/p?q=${encodeURIComponent(payload.slice(0, 50))}`, title: payload, excerpt: payload, blog_name: payload,
        });
        assert.match(await ping.text(), /<error>0<\/error>/, `trackback ${i}`);
        stored += 1;
      }
    }
    const { page, trip } = await openPage(browser);
    t.after(() => page.context().close());
    await page.goto(`${server.url}/admin`);
    await signIn(page, server);
    await tab(page, new RegExp(`Pending \\(${stored}\\)`)).waitFor();
    // The tab's count comes from its own request: wait for the first page itself (its items and the
    // "Load more" button are shown in one step), or the loop below can look before either is there.
    await page.locator('.bta-item').first().waitFor();
    // Page through the whole queue.
    const more = page.getByRole('button', { name: 'Load more' });
    while (await more.isVisible()) {
      const before = await page.locator('.bta-item').count();
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('.bta-item').length > n, before);
    }
    assert.equal(await page.locator('.bta-item').count(), stored);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-xss-pending.png') });

    // Shown as text: the payload's characters are on the page, and none of its markup is.
    const scriptBody = XSS_CORPUS.find((c) => c.name === 'script element')!.payload;
    assert.ok(await page.locator('.bta-body').filter({ hasText: scriptBody }).count() >= 1, 'the script payload is not shown as text');
    const stray = await page.evaluate(() =>
      document.querySelectorAll('#backtalk-admin :is(script, img, svg, iframe, object, embed, math, style, link, meta, base, form [formaction], video, audio, details, marquee, body)').length);
    assert.equal(stray, 0, 'markup from a payload reached the DOM');
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('#backtalk-admin a')].map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) assert.match(href, /^https?:\/\//i, `a non-http link: ${href}`);

    // Every other view that shows stored data.
    await tab(page, 'Search').click();
    await page.getByLabel('Search for').fill('<');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('.bta-item').first().waitFor();
    await tab(page, 'Linkback log').click();
    await page.locator('.bta-table tbody tr').nth(5).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-xss-linkbacks.png') });
    await tab(page, 'Threads').click();
    await page.locator('.bta-thread').first().waitFor();
    await tab(page, 'Blocked words').click();
    // Moving them between queues re-renders them everywhere.
    for (const [from, action] of [[/Pending/, 'Approve selected'], [/Approved/, 'Spam selected']] as const) {
      await tab(page, from).click();
      await page.locator('.bta-item').first().waitFor();
      await page.getByLabel('Select all').check();
      await page.getByRole('button', { name: action, exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'done' }).waitFor();
    }
    await tab(page, /Spam/).click();
    await page.locator('.bta-item').first().waitFor();
    await page.waitForTimeout(300);

    assert.deepEqual(await page.evaluate(() => (window as unknown as { __pwned: unknown[] }).__pwned), [], 'a payload ran');
    assert.deepEqual(trip.dialogs, [], 'a payload opened a dialog');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [],
      'the CSP had to stop something: markup from a payload got live');
  });
  it('speaks the reader\'s language: Russian by Accept-Language, Arabic right to left by ?lang=', async (t) => {
    const server = await startTestServer({ BACKTALK_MODERATION: 'all' });
    t.after(() => server.close());
    await post(server, { body: 'Первый!', author: 'Анна' });
    await post(server, { body: 'Второй', author: 'Лев' });

    const context = await browser.newContext({ locale: 'ru-RU' });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${server.url}/admin`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
    assert.equal(await page.title(), 'Модерация Backtalk');
    await page.getByLabel('Ключ администратора').fill('wrong-token');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('alert').filter({ hasText: 'Этот ключ не принят.' }).waitFor();
    await page.getByLabel('Ключ администратора').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Войти' }).click();
    await tab(page, /На проверке \(2\)/).waitFor();
    await page.getByLabel('Выбрать все').check();
    await page.locator('.bta-selected').filter({ hasText: 'Выбрано: 2' }).waitFor();
    await page.getByRole('button', { name: 'Одобрить (выбранные)' }).click();
    await page.getByRole('status').filter({ hasText: 'одобрено: выполнено 2.' }).waitFor();
    await tab(page, /Одобренные \(2\)/).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-ru.png'), fullPage: true });

    const rtl = await browser.newPage();
    t.after(() => rtl.close());
    await rtl.goto(`${server.url}/admin?lang=ar`);
    assert.deepEqual(await rtl.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl']);
    await rtl.getByRole('button', { name: 'تسجيل الدخول' }).waitFor();
    await rtl.screenshot({ path: join(SCREENSHOTS, 'admin-ar.png') });
  });
});

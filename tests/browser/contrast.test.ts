/**
 * Issue 17.7: the widget's data-theme (light, dark, auto following the HOST page rather than only
 * the OS) and WCAG AA contrast of every page Backtalk renders and of the widget, in light and dark,
 * checked by axe-core (node_modules/axe-core) in Chromium. axe runs with the wcag2a and wcag2aa rules
 * (color-contrast among them); each check asserts no violations and prints its counts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { apiComment, launchChromium, postHtml, screenshot, startStack, type Stack } from './support.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildAdmin } from '../../scripts/build-admin.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
type Scheme = 'light' | 'dark';
const SCHEMES: Scheme[] = ['light', 'dark'];

let browser: Browser;
let stack: Stack;
let held: TestServer;
let target: string;

before(async () => {
  await buildAdmin();
  browser = await launchChromium();
  stack = await startStack();
  held = await startTestServer({ BACKTALK_MODERATION: 'all' });
  target = `${stack.blog.origin}/contrast/post/`;
  const first = await apiComment(stack.bt, target, { author: 'Ann', url: 'https://ann.example/', body: 'A first comment with a [link](https://example.org/) and `code`.\n\n> a quote' });
  await apiComment(stack.bt, target, { author: 'Bob', body: 'A reply, *emphasised*.', parent: first.id });
  await apiComment(stack.bt, target, { author: 'Cy', body: 'Another top-level comment.' });
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await held?.close();
});

interface Audit {
  violations: Array<{ id: string; nodes: string[] }>;
  /** Elements whose text contrast axe measured and found sufficient. */
  contrastPasses: number;
  /** Elements axe could not decide (e.g. text over an image); reported, not failed. */
  contrastIncomplete: number;
}

/** Runs axe-core (wcag2a + wcag2aa) on the page, or on `include` only (the widget on a blog's page). */
async function audit(page: Page, include?: string): Promise<Audit> {
  // Evaluated through the DevTools protocol, so the pages' own strict CSPs stay in force.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{
      violations: Array<{ id: string; nodes: Array<{ target: string[]; failureSummary?: string }> }>;
      passes: Array<{ id: string; nodes: unknown[] }>;
      incomplete: Array<{ id: string; nodes: unknown[] }>;
    }> } }).axe;
    const r = await axe.run(include ? { include: [include] } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return {
      violations: r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) })),
      contrastPasses: r.passes.find((p) => p.id === 'color-contrast')?.nodes.length ?? 0,
      contrastIncomplete: r.incomplete.find((p) => p.id === 'color-contrast')?.nodes.length ?? 0,
    };
  }, include);
}

async function assertAccessible(page: Page, name: string, include?: string): Promise<void> {
  const result = await audit(page, include);
  console.log(`axe ${name}: ${result.violations.length} violations, color-contrast ${result.contrastPasses} passed, ${result.contrastIncomplete} undecided`);
  await screenshot(page, `contrast-${name}`);
  assert.deepEqual(result.violations, [], `${name}: axe found violations`);
  assert.ok(result.contrastPasses > 0, `${name}: axe measured no text at all`);
}

/** A whole page follows the reader's OS setting: a light or a dark background. */
async function assertFollows(page: Page, scheme: Scheme): Promise<void> {
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = (bg.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
  const dark = (r! + g! + b!) / 3 < 128 && !/^rgba\(0, 0, 0, 0\)/.test(bg);
  assert.equal(dark ? 'dark' : 'light', scheme, `the page's background ${bg} does not follow the ${scheme} setting`);
}

async function newPage(scheme: Scheme): Promise<Page> {
  const ctx = await browser.newContext({ colorScheme: scheme });
  return ctx.newPage();
}

const LIGHT_HOST = 'body{background:#fff;color:#333;font:17px/1.6 Georgia,serif;max-width:40rem;margin:2rem auto}';
const DARK_HOST = 'body{background:#15171a;color:#e6e6e6;font:17px/1.6 Georgia,serif;max-width:40rem;margin:2rem auto}a{color:#8ab4ff}';

/** A blog post with the widget; `css` is the blog's own stylesheet, `theme` the script tag's data-theme. */
async function openWidget(scheme: Scheme, path: string, o: { css?: string; head?: string; theme?: string }): Promise<Page> {
  const url = stack.blog.origin + path;
  let body = postHtml(stack.bt, url, { target, title: 'Contrast' });
  body = body.replace('</head>', `${o.css ? `<style>${o.css}</style>` : ''}${o.head ?? ''}</head>`);
  if (o.theme) body = body.replace('/embed.js"', `/embed.js" data-theme="${o.theme}"`);
  stack.blog.set(path, { body });
  const page = await newPage(scheme);
  await page.goto(url);
  await page.locator('#backtalk .bt-form').waitFor();
  await page.waitForFunction(() => [...document.styleSheets].some((s) => s.href?.endsWith('/widget/backtalk.css')));
  return page;
}

const themeOf = (page: Page) => page.locator('#backtalk').getAttribute('data-bt-theme');
/** The submit button's background: the theme's accent colour. */
const accentOf = (page: Page) => page.locator('.bt-submit').evaluate((b) => getComputedStyle(b).backgroundColor);
const LIGHT_ACCENT = 'rgb(26, 86, 196)';
const DARK_ACCENT = 'rgb(138, 180, 255)';

describe('data-theme on the script tag', () => {
  test('auto on a light blog read with a dark OS setting: the widget is light, not pale-on-white', async () => {
    const page = await openWidget('dark', '/theme/light-host/', { css: LIGHT_HOST });
    assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true, 'the OS is emulated dark');
    assert.equal(await themeOf(page), 'light');
    assert.equal(await accentOf(page), LIGHT_ACCENT);
    await assertAccessible(page, 'widget-auto-light-host-dark-os', '#backtalk');
    await page.context().close();
  });

  test('auto on a page that paints nothing and declares no color-scheme: light (the browser canvas is white)', async () => {
    const page = await openWidget('dark', '/theme/bare-host/', {});
    assert.equal(await themeOf(page), 'light');
    await assertAccessible(page, 'widget-auto-bare-host-dark-os', '#backtalk');
    await page.context().close();
  });

  test('auto on a dark blog read with a light OS setting: the widget is dark', async () => {
    const page = await openWidget('light', '/theme/dark-host/', { css: DARK_HOST });
    assert.equal(await themeOf(page), 'dark');
    assert.equal(await accentOf(page), DARK_ACCENT);
    await assertAccessible(page, 'widget-auto-dark-host-light-os', '#backtalk');
    await page.context().close();
  });

  test('auto on a page declaring <meta name="color-scheme" content="dark">, background left to the browser: dark', async () => {
    const page = await openWidget('light', '/theme/meta-dark/', { head: '<meta name="color-scheme" content="dark">' });
    assert.equal(await themeOf(page), 'dark');
    await assertAccessible(page, 'widget-auto-meta-dark', '#backtalk');
    await page.context().close();
  });

  test('auto on a "light dark" page follows the OS there, since the browser does', async () => {
    const page = await openWidget('dark', '/theme/light-dark/', { css: ':root{color-scheme:light dark}' });
    assert.equal(await themeOf(page), 'dark');
    await assertAccessible(page, 'widget-auto-light-dark-page-dark-os', '#backtalk');
    await page.context().close();
  });

  test('auto follows the blog\'s own dark-mode switch (a class on <html>) after load', async () => {
    const css = `${LIGHT_HOST} html.night body{background:#101214;color:#ddd}`;
    const page = await openWidget('light', '/theme/switch/', { css });
    assert.equal(await themeOf(page), 'light');
    await page.evaluate(() => document.documentElement.classList.add('night'));
    await page.waitForFunction(() => document.getElementById('backtalk')!.dataset.btTheme === 'dark');
    await assertAccessible(page, 'widget-auto-switched-dark', '#backtalk');
    await page.context().close();
  });

  test('explicit data-theme="dark" on a light blog and "light" on a dark blog are honoured, with their own background', async () => {
    const dark = await openWidget('light', '/theme/fixed-dark/', { css: LIGHT_HOST, theme: 'dark' });
    assert.equal(await themeOf(dark), 'dark');
    assert.equal(await accentOf(dark), DARK_ACCENT);
    assert.equal(await dark.locator('.bt-thread').evaluate((s) => getComputedStyle(s).backgroundColor), 'rgb(22, 24, 28)');
    await assertAccessible(dark, 'widget-fixed-dark-on-light-host', '#backtalk');
    await dark.context().close();

    const light = await openWidget('dark', '/theme/fixed-light/', { css: DARK_HOST, theme: 'light' });
    assert.equal(await themeOf(light), 'light');
    assert.equal(await accentOf(light), LIGHT_ACCENT);
    assert.equal(await light.locator('.bt-thread').evaluate((s) => getComputedStyle(s).backgroundColor), 'rgb(255, 255, 255)');
    await assertAccessible(light, 'widget-fixed-light-on-dark-host', '#backtalk');
    await light.context().close();
  });

  test('the widget\'s live preview and posted notice keep their contrast (dark blog)', async () => {
    const page = await openWidget('dark', '/theme/interactive/', { css: DARK_HOST });
    await page.fill('#bt-author', 'Dee');
    await page.fill('#bt-body', 'Preview with a [link](https://example.org/) and **bold**');
    await page.locator('.bt-preview strong').waitFor();
    await assertAccessible(page, 'widget-dark-preview', '#backtalk');
    await page.click('.bt-submit');
    await page.locator('.bt-status', { hasText: 'posted' }).waitFor();
    await assertAccessible(page, 'widget-dark-posted', '#backtalk');
    await page.context().close();
  });
});

describe('every page Backtalk renders passes WCAG AA in light and dark', () => {
  for (const scheme of SCHEMES) {
    test(`/thread, its fragment, and the no-JavaScript answers (${scheme})`, async () => {
      const page = await newPage(scheme);
      await page.goto(`${stack.bt.url}/thread?target=${encodeURIComponent(target)}`);
      await assertAccessible(page, `thread-page-${scheme}`);
      await assertFollows(page, scheme);
      // The fragment alone is not a document (no <title>, no lang on <html>): its own markup is checked.
      await page.goto(`${stack.bt.url}/thread?fragment=1&target=${encodeURIComponent(target)}`);
      await assertAccessible(page, `thread-fragment-${scheme}`, '.bt-thread');

      // An error page: the no-JavaScript form posted with a body the server refuses (too long).
      await page.goto(`${stack.bt.url}/thread?target=${encodeURIComponent(target)}`);
      await page.locator('#bt-body').evaluate((t: HTMLTextAreaElement) => {
        t.removeAttribute('maxlength');
        t.value = 'x'.repeat(70_000);
      });
      await page.click('.bt-submit');
      await page.locator('[role=alert]').waitFor();
      await assertAccessible(page, `error-page-${scheme}`);
      await assertFollows(page, scheme);

      // A held comment shown to its author (a server that holds everything): the no-JavaScript post
      // comes back to /thread, where the author's comment is marked as awaiting moderation (17.4).
      await page.goto(`${held.url}/thread?target=${encodeURIComponent('http://blog.example/held/')}`);
      await page.fill('#bt-body', `Held, please (${scheme})`);
      await page.click('.bt-submit');
      await page.locator('.bt-held-note').waitFor();
      await assertAccessible(page, `held-comment-${scheme}`);
      await assertFollows(page, scheme);

      // The "held for moderation" page: what a plain form posted from anywhere but /thread gets back.
      await page.goto(`${held.url}/thread?fragment=1&target=${encodeURIComponent('http://blog.example/held/')}`);
      await page.fill('#bt-body', `Held from the fragment (${scheme})`);
      await page.click('.bt-submit');
      await page.locator('[role=status]:visible').first().waitFor();
      await assertAccessible(page, `held-page-${scheme}`);
      await assertFollows(page, scheme);
      await page.context().close();
    });

    test(`the pages behind mail links, and the demo blog's index (${scheme})`, async () => {
      const { id } = await apiComment(stack.bt, target, { author: 'Eve', body: `To be moderated from a mail (${scheme})` });
      const token = stack.bt.deps.mailLinks.signAction(id, 'approve', new Date());
      const page = await newPage(scheme);
      await page.goto(`${stack.bt.url}/mail/action?token=${token}`);
      await page.locator('form button').waitFor();
      await assertAccessible(page, `mail-action-${scheme}`);
      await assertFollows(page, scheme);
      await page.goto(`${stack.bt.url}/mail/action?token=not-a-token`);
      await assertAccessible(page, `mail-action-invalid-${scheme}`);
      await assertFollows(page, scheme);
      await page.goto(`${stack.bt.url}/subscriptions/unsubscribe?id=1&token=bad`);
      await assertAccessible(page, `unsubscribe-invalid-${scheme}`);
      await assertFollows(page, scheme);
      // The sample blog under /demo/ (its index: counters filled by embed.js).
      await page.goto(`${stack.bt.url}/demo/all/`);
      await assertAccessible(page, `demo-index-${scheme}`);
      await assertFollows(page, scheme);
      await page.context().close();
    });

    test(`the admin page, signed out and signed in with a queue (${scheme})`, async () => {
      await apiComment(held, 'http://blog.example/held/', { author: 'Finn', email: 'finn@example.org', body: `Waiting in the queue with a [link](https://example.org/) (${scheme})` });
      const page = await newPage(scheme);
      await page.goto(`${held.url}/admin`);
      await page.getByLabel('Admin token').waitFor();
      await assertAccessible(page, `admin-signin-${scheme}`);
      await assertFollows(page, scheme);
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.bta-item').first().waitFor();
      await assertAccessible(page, `admin-queue-${scheme}`);
      await assertFollows(page, scheme);
      await page.context().close();
    });
  }
});

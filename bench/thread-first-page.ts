/**
 * Time to the first page of a thread in Chromium (issue 17.1: "a 1,000-comment thread shows its
 * first page in the browser as fast as a 50-comment one does"). Both threads are measured in the
 * same run, on the same server, so the comparison holds on a loaded machine; nothing is asserted.
 *
 *   node --import tsx bench/thread-first-page.ts [--runs 7]
 *
 * For each thread size: cold page loads (a new browser context each), and from the widget's own
 * performance marks the time from the script's start to the thread in the page (fetch + insert),
 * plus the time from navigation start to that moment; medians and spreads are printed.
 */
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, postHtml, startStack } from '../tests/browser/support.js';
import { seedThread } from '../tests/threads/support.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Math.max(3, Number(values.runs));
const SIZES = [50, 1000];

interface Sample {
  render: number;
  sinceNavigation: number;
  comments: number;
  bytes: number;
}

async function measure(browser: Browser, url: string): Promise<Sample> {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0;
  page.on('response', (r) => {
    if (r.url().includes('fragment=1')) void r.body().then((b) => (bytes = b.length), () => undefined);
  });
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('backtalk-render').length > 0);
  const sample = await page.evaluate(() => ({
    render: performance.getEntriesByName('backtalk-render')[0]!.duration,
    sinceNavigation: performance.getEntriesByName('backtalk-inserted')[0]!.startTime,
    comments: document.querySelectorAll('.bt-comment').length,
  }));
  await context.close();
  return { ...sample, bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

const browser = await launchChromium();
const stack = await startStack();
try {
  const urls = new Map<number, string>();
  for (const size of SIZES) {
    const url = `${stack.blog.origin}/bench/${size}/`;
    stack.blog.set(`/bench/${size}/`, { body: postHtml(stack.bt, url) });
    await seedThread(stack.bt.deps.store, url, size, 5);
    urls.set(size, url);
  }
  // One warm-up load each (server caches, Chromium's own start-up), not counted.
  for (const url of urls.values()) await measure(browser, url);
  const results = new Map<number, Sample[]>(SIZES.map((s) => [s, []]));
  // Interleaved, so a burst of load on the machine hits both sizes alike.
  for (let run = 0; run < RUNS; run++) for (const size of SIZES) results.get(size)!.push(await measure(browser, urls.get(size)!));
  console.log(`first page of a thread in the widget, ${RUNS} cold page loads each (median, min–max), ms:`);
  for (const [size, samples] of results) {
    const render = samples.map((s) => s.render);
    const nav = samples.map((s) => s.sinceNavigation);
    console.log(`  ${String(size).padStart(4)} comments: script start → thread shown ${median(render).toFixed(1)} (${spread(render)}), `
      + `navigation → thread shown ${median(nav).toFixed(1)} (${spread(nav)}); ${samples[0]!.comments} comments on the first page, fragment ${samples[0]!.bytes} B`);
  }
  const ratio = median(results.get(1000)!.map((s) => s.render)) / median(results.get(50)!.map((s) => s.render));
  console.log(`  ratio 1000/50 (script start → thread shown): ${ratio.toFixed(2)}`);
} finally {
  await browser.close();
  await stack.close();
}

/**
 * Sends linkbacks for the owner's blog by itself (BACKTALK_FEEDS): each feed is polled with a
 * conditional GET (ETag / Last-Modified remembered between polls and restarts), parsed with
 * @rowanmanning/feed-parser (RSS and Atom, lenient with real-world feeds), and every entry that is
 * new or changed since the last poll is queued for sending. An entry's version is its updated (else
 * published) date together with a hash of its content, so an edit shows even when the date is not
 * bumped. The first poll of a feed finds every entry new; the once-per-link rules of the sender make
 * that safe to repeat.
 */
import { createHash } from 'node:crypto';
import type { PageFetcher } from '../fetch/fetch-page.js';
import type { Logger } from '../lib/logger.js';
import { normalizeHttpUrl } from '../lib/url.js';
import type { SendRepository, SettingsRepository } from '../store/repository.js';

export interface FeedPoll {
  feed: string;
  /** 'unchanged' when the server answered 304. */
  result: 'polled' | 'unchanged' | 'failed';
  /** Entry URLs queued for sending in this poll. */
  queued: string[];
  error?: string;
}

export interface FeedWatcherDeps {
  feeds: readonly string[];
  intervalMs: number;
  fetcher: PageFetcher;
  settings: SettingsRepository;
  sends: Pick<SendRepository, 'findPostBySource'>;
  /** Queues one entry (the send service's request; it checks the URL is one of our posts). */
  request(source: string, version: string): Promise<unknown>;
  logger: Logger;
}

const FEED_ACCEPT = 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1';

export interface FeedWatcher {
  pollOnce(): Promise<FeedPoll[]>;
  start(): void;
  stop(): Promise<void>;
}

export function createFeedWatcher(deps: FeedWatcherDeps): FeedWatcher {
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<FeedPoll[]> | undefined;

  async function pollFeed(feed: string): Promise<FeedPoll> {
    const key = `send.feed:${feed}`;
    const saved = parseValidators(await deps.settings.get(key));
    const headers: Record<string, string> = {};
    if (saved.etag) headers['if-none-match'] = saved.etag;
    if (saved.lastModified) headers['if-modified-since'] = saved.lastModified;
    const page = await deps.fetcher.fetch(feed, { accept: FEED_ACCEPT, headers });
    if (page.kind !== 'ok') return { feed, result: 'failed', queued: [], error: page.reason };
    if (page.status === 304) return { feed, result: 'unchanged', queued: [] };
    if (page.status < 200 || page.status >= 300) return { feed, result: 'failed', queued: [], error: `HTTP ${page.status}` };
    let items;
    try {
      // Loaded when a feed is first polled: without BACKTALK_FEEDS it never is (resident memory).
      const { parseFeed } = await import('@rowanmanning/feed-parser');
      items = parseFeed(page.body).items;
    } catch (err) {
      return { feed, result: 'failed', queued: [], error: `not a feed: ${err instanceof Error ? err.message : String(err)}` };
    }
    const queued: string[] = [];
    for (const item of items) {
      if (!item.url) continue;
      let url: string;
      try {
        url = new URL(item.url, page.url).href;
      } catch {
        continue;
      }
      const date = (item.updated ?? item.published)?.toISOString() ?? '';
      const hash = createHash('sha256').update(item.title ?? '').update('\n').update(item.content ?? item.description ?? '').digest('hex').slice(0, 16);
      const version = `${date}|${hash}`;
      const known = await deps.sends.findPostBySource(normalizeHttpUrl(url) ?? url);
      if (known?.feedVersion === version) continue;
      try {
        await deps.request(url, version);
        queued.push(url);
      } catch (err) {
        deps.logger.warn({ feed, entry: url, err: err instanceof Error ? err.message : String(err) }, 'feed entry not queued for sending');
      }
    }
    // Remembered only after the entries are queued: a crash in between polls the full feed again.
    await deps.settings.set(key, JSON.stringify({ etag: page.headers.etag, lastModified: page.headers['last-modified'] }));
    return { feed, result: 'polled', queued };
  }

  /** Polls every feed once (concurrent calls share one poll). */
  function pollOnce(): Promise<FeedPoll[]> {
    polling ??= (async () => {
      const results: FeedPoll[] = [];
      for (const feed of deps.feeds) {
        const result = await pollFeed(feed).catch((err: unknown) => ({ feed, result: 'failed' as const, queued: [], error: String(err) }));
        if (result.result === 'failed') deps.logger.warn({ feed, error: result.error }, 'feed poll failed');
        results.push(result);
      }
      return results;
    })().finally(() => (polling = undefined));
    return polling;
  }

  return {
    pollOnce,
    start(): void {
      if (timer || deps.feeds.length === 0) return;
      void pollOnce();
      timer = setInterval(() => void pollOnce(), deps.intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await polling;
    },
  };
}


function parseValidators(raw: string | undefined): { etag?: string; lastModified?: string } {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as { etag?: unknown; lastModified?: unknown };
    return {
      ...(typeof value.etag === 'string' ? { etag: value.etag } : {}),
      ...(typeof value.lastModified === 'string' ? { lastModified: value.lastModified } : {}),
    };
  } catch {
    return {};
  }
}

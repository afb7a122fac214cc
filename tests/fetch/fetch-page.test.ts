import { FetchLimits } from '../../src/fetch/fetch-limits.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { after, beforeEach, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { createPageFetcher, DEFAULT_ACCEPT, DEFAULT_FETCH_POLICY } from '../../src/fetch/fetch-page.js';
import type { FetchOutcome, FetchPolicy } from '../../src/fetch/fetch-page.js';

// ---- real servers on loopback ------------------------------------------------------------------------

interface TestServer {
  port: number;
  base: string;
  /** TCP connections accepted: the SSRF tests require this to stay 0 on the would-be victim. */
  connections: number;
  requests: http.IncomingMessage[];
}

const servers: http.Server[] = [];

async function startServer(handler: http.RequestListener, host = '127.0.0.1', port = 0): Promise<TestServer> {
  const server = http.createServer();
  const state: TestServer = { port: 0, base: '', connections: 0, requests: [] };
  server.on('connection', () => { state.connections += 1; });
  server.on('request', (req, res) => { state.requests.push(req); handler(req, res); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  servers.push(server);
  state.port = (server.address() as AddressInfo).port;
  state.base = `http://${host}:${state.port}`;
  return state;
}

after(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  })));
});

const OPEN: FetchPolicy = {
  ...DEFAULT_FETCH_POLICY,
  allowPrivate: true,
  timeoutMs: 3000,
  perHostPerMinute: 1000,
  globalPerMinute: 10_000,
  perHostConcurrent: 100,
  globalConcurrent: 100,
};

/** A guarded policy whose only extra port is `port`, so the address rules, not the port rule, decide. */
function guarded(port: number, extra: Partial<FetchPolicy> = {}): FetchPolicy {
  return { ...OPEN, allowPrivate: false, allowedPorts: [80, 443, port], ...extra };
}

/** dns.lookup stand-in: each call answers from `answer(hostname, callNumber)`; unknown names are ENOTFOUND. */
function fakeLookup(answer: (hostname: string, call: number) => string[] | undefined, calls: string[] = []): LookupFunction {
  return (hostname, options, callback) => {
    calls.push(hostname);
    const addresses = answer(hostname, calls.length);
    setImmediate(() => {
      if (!addresses) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        return;
      }
      const list = addresses.map((address) => ({ address, family: isIP(address) }));
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

const table = (entries: Record<string, string[]>, calls?: string[]): LookupFunction =>
  fakeLookup((hostname) => entries[hostname], calls);

function expectOk(outcome: FetchOutcome): Extract<FetchOutcome, { kind: 'ok' }> {
  assert.equal(outcome.kind, 'ok', JSON.stringify(outcome));
  return outcome as Extract<FetchOutcome, { kind: 'ok' }>;
}

function expectRefused(outcome: FetchOutcome, pattern: RegExp): void {
  assert.equal(outcome.kind, 'refused', JSON.stringify(outcome));
  assert.match((outcome as { reason: string }).reason, pattern);
}

function expectFailed(outcome: FetchOutcome, pattern: RegExp, temporary: boolean): void {
  assert.equal(outcome.kind, 'failed', JSON.stringify(outcome));
  const failed = outcome as Extract<FetchOutcome, { kind: 'failed' }>;
  assert.match(failed.reason, pattern);
  assert.equal(failed.temporary, temporary, failed.reason);
}

// ---- the SSRF guard -----------------------------------------------------------------------------------

describe('fetchPage: address guard (P11, W18)', async () => {
  const victim = await startServer((_req, res) => res.end('internal secret'));
  beforeEach(() => { victim.connections = 0; });
  const redirectTo = (location: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(302, { location }).end();
  };

  const literalForms = [
    '127.0.0.1', '2130706433', '0x7f000001', '127.1', '0177.0.0.1', '0.0.0.0',
    '[::1]', '[::]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:0:7f00:1]', '[64:ff9b::7f00:1]',
  ];
  for (const form of literalForms) {
    it(`refuses the IP literal ${form} without connecting`, async () => {
      const fetcher = createPageFetcher(guarded(victim.port));
      expectRefused(await fetcher.fetch(`http://${form}:${victim.port}/`), /refused range/);
      assert.equal(victim.connections, 0);
    });
  }

  it('refuses localhost, resolved by the system resolver, without connecting', async () => {
    const fetcher = createPageFetcher(guarded(victim.port));
    expectRefused(await fetcher.fetch(`http://localhost:${victim.port}/`), /localhost resolves to .*loopback/);
    assert.equal(victim.connections, 0);
  });

  // A name resolving to a private range (192.168.x) is refused by the same connect-time lookup as the
  // loopback case below; the range itself is covered in address-policy.test.ts. No test here may
  // resolve to an off-machine address: if the guard ever broke, it would send traffic there.
  it('refuses a name resolving to the victim, checking the resolved address at connect time', async () => {
    const fetcher = createPageFetcher(guarded(victim.port), { lookup: table({ 'evil.example': ['127.0.0.1'] }) });
    expectRefused(await fetcher.fetch(`http://evil.example:${victim.port}/`), /loopback/);
    assert.equal(victim.connections, 0);
  });

  it('refuses when any resolved address is refused, not just the first', async () => {
    const lookup = table({ 'mixed.example': ['127.0.0.2', '127.0.0.1'] });
    const fetcher = createPageFetcher(guarded(victim.port, { allowAddresses: ['127.0.0.2/32'] }), { lookup });
    expectRefused(await fetcher.fetch(`http://mixed.example:${victim.port}/`), /127\.0\.0\.1/);
    assert.equal(victim.connections, 0);
  });

  it('resolves once and connects to the checked address, so DNS rebinding cannot reach the victim', async () => {
    const decoy = await startServer((_req, res) => res.end('public page'), '127.0.0.2', victim.port);
    const calls: string[] = [];
    // First answer is the allow-listed "public" address, every later one the victim (CVE-2022-3590 pattern).
    const lookup = fakeLookup((_host, call) => (call === 1 ? ['127.0.0.2'] : ['127.0.0.1']), calls);
    const fetcher = createPageFetcher(guarded(victim.port, { allowAddresses: ['127.0.0.2/32'] }), { lookup });
    const outcome = expectOk(await fetcher.fetch(`http://rebind.example:${victim.port}/`));
    assert.equal(outcome.body, 'public page');
    assert.equal(calls.length, 1);
    assert.equal(decoy.connections, 1);
    assert.equal(victim.connections, 0);
  });

  it('re-checks every redirect hop: an allow-listed server redirecting to 127.0.0.1 is refused', async () => {
    const redirector = await startServer(redirectTo(`http://127.0.0.1:${victim.port}/admin`), '127.0.0.2', 0);
    const fetcher = createPageFetcher(guarded(redirector.port, { allowedPorts: [redirector.port, victim.port], allowAddresses: ['127.0.0.2'] }));
    expectRefused(await fetcher.fetch(`${redirector.base}/`), /^redirect to http:\/\/127\.0\.0\.1.*loopback/);
    assert.equal(redirector.requests.length, 1);
    assert.equal(victim.connections, 0);
  });

  it('refuses redirects to names resolving inward, to disallowed ports and to other schemes', async () => {
    const targets: [string, RegExp][] = [
      [`http://inside.example:${victim.port}/`, /inside\.example resolves to 127\.0\.0\.1/],
      [`http://[::ffff:127.0.0.1]:${victim.port}/`, /ipv4Mapped/],
      ['http://127.0.0.2:6379/', /port 6379 is not allowed/],
      ['ftp://127.0.0.2/', /scheme ftp: is not allowed/],
      ['file:///etc/passwd', /scheme file: is not allowed/],
    ];
    for (const [location, pattern] of targets) {
      const redirector = await startServer(redirectTo(location), '127.0.0.2', 0);
      const policy = guarded(redirector.port, { allowedPorts: [redirector.port, victim.port], allowAddresses: ['127.0.0.2/32'] });
      const fetcher = createPageFetcher(policy, { lookup: table({ 'inside.example': ['127.0.0.1'] }) });
      expectRefused(await fetcher.fetch(`${redirector.base}/`), pattern);
    }
    assert.equal(victim.connections, 0);
  });

  it('refuses non-http(s) schemes', async () => {
    const fetcher = createPageFetcher(OPEN);
    for (const url of ['ftp://127.0.0.1/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', `gopher://127.0.0.1:${victim.port}/`]) {
      expectRefused(await fetcher.fetch(url), /scheme .* is not allowed/);
    }
    assert.equal(victim.connections, 0);
  });

  it('refuses user:pass@ URLs even when private fetches are allowed (P13)', async () => {
    const fetcher = createPageFetcher(OPEN);
    expectRefused(await fetcher.fetch(`http://user:pass@127.0.0.1:${victim.port}/`), /credentials/);
    expectRefused(await fetcher.fetch(`http://user@127.0.0.1:${victim.port}/`), /credentials/);
    assert.equal(victim.connections, 0);
  });

  it('refuses non-standard ports before resolving the name (P12, CVE-2013-0235)', async () => {
    const calls: string[] = [];
    const fetcher = createPageFetcher({ ...OPEN, allowPrivate: false }, { lookup: table({ 'blog.example': ['127.0.0.1'] }, calls) });
    for (const port of [22, 25, 6379, victim.port]) {
      expectRefused(await fetcher.fetch(`http://blog.example:${port}/`), new RegExp(`port ${port} is not allowed`));
    }
    assert.deepEqual(calls, []);
    assert.equal(victim.connections, 0);
  });

  it('lets allowPrivate reach loopback on any port', async () => {
    const local = await startServer((_req, res) => res.end('local service'));
    assert.equal(expectOk(await createPageFetcher(OPEN).fetch(`${local.base}/`)).body, 'local service');
    assert.equal(local.connections, 1);
  });

  it('never throws, whatever it is given', async () => {
    const fetcher = createPageFetcher(OPEN);
    for (const input of ['not a url', '', '/relative', undefined, null, 42, {}]) {
      expectRefused(await fetcher.fetch(input as unknown as string), /not an absolute URL|scheme/);
    }
  });
});

// ---- happy path, status codes, headers ------------------------------------------------------------------

describe('fetchPage: responses', async () => {
  const site = await startServer((req, res) => {
    const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
    res.writeHead(status, { 'Content-Type': 'Text/HTML; Charset=UTF-8', 'X-Extra': 'a', Link: ['<a>; rel=x', '<b>; rel=y'] });
    res.end(`<p>status ${status} ü</p>`);
  });

  it('returns status, final url, media type, lower-cased headers and the decoded body', async () => {
    const outcome = expectOk(await createPageFetcher(OPEN).fetch(`${site.base}/post`));
    assert.equal(outcome.status, 200);
    assert.equal(outcome.url, `${site.base}/post`);
    assert.equal(outcome.contentType, 'text/html');
    assert.equal(outcome.headers['x-extra'], 'a');
    assert.equal(outcome.headers['link'], '<a>; rel=x, <b>; rel=y');
    assert.equal(outcome.body, '<p>status 200 ü</p>');
    assert.equal(outcome.truncated, false);
  });

  it('sends the User-Agent and the default Accept, and lets callers override Accept and add headers', async () => {
    const policy = { ...OPEN, userAgent: 'Backtalk-test/1' };
    expectOk(await createPageFetcher(policy).fetch(`${site.base}/ua`));
    let seen = site.requests.at(-1)!;
    assert.equal(seen.headers['user-agent'], 'Backtalk-test/1');
    assert.equal(seen.headers['accept'], DEFAULT_ACCEPT);
    expectOk(await createPageFetcher(policy).fetch(`${site.base}/ua`, { accept: 'application/json', headers: { 'X-Pingback-Forwarded-For': '192.0.2.7' } }));
    seen = site.requests.at(-1)!;
    assert.equal(seen.headers['accept'], 'application/json');
    assert.equal(seen.headers['x-pingback-forwarded-for'], '192.0.2.7');
  });

  it('returns non-2xx responses as ok with their status and body (P8, W10, W12)', async () => {
    const fetcher = createPageFetcher(OPEN);
    for (const status of [404, 410, 500]) {
      const outcome = expectOk(await fetcher.fetch(`${site.base}/?status=${status}`));
      assert.equal(outcome.status, status);
      assert.equal(outcome.body, `<p>status ${status} ü</p>`);
    }
  });
});

// ---- redirects ----------------------------------------------------------------------------------------------

describe('fetchPage: redirects (P9, W16)', async () => {
  const chain: Record<string, [number, string]> = {
    '/a': [301, 'b'], '/b': [302, '/c'], '/c': [303, './d'], '/d': [307, 'e?x=1'], '/e': [308, '/final'],
  };
  const site = await startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const hop = chain[path];
    if (hop) return void res.writeHead(hop[0], { location: hop[1] }).end('moved');
    if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (path === '/no-location') return void res.writeHead(302).end('no location');
    res.end(`final ${path}`);
  });

  it('follows 301/302/303/307/308 with relative Locations up to maxRedirects and reports the final URL', async () => {
    const outcome = expectOk(await createPageFetcher({ ...OPEN, maxRedirects: 5 }).fetch(`${site.base}/a`));
    assert.equal(outcome.url, `${site.base}/final`);
    assert.equal(outcome.body, 'final /final');
  });

  it('fails once a chain needs more than maxRedirects hops, without requesting the extra hop', async () => {
    const before = site.requests.length;
    expectFailed(await createPageFetcher({ ...OPEN, maxRedirects: 4 }).fetch(`${site.base}/a`), /too many redirects/, false);
    assert.equal(site.requests.length - before, 5);
  });

  it('fails on a redirect loop', async () => {
    expectFailed(await createPageFetcher({ ...OPEN, maxRedirects: 3 }).fetch(`${site.base}/loop`), /too many redirects/, false);
  });

  it('returns a redirect status without Location as the response', async () => {
    const outcome = expectOk(await createPageFetcher(OPEN).fetch(`${site.base}/no-location`));
    assert.equal(outcome.status, 302);
    assert.equal(outcome.body, 'no location');
  });
});

// ---- deadline and size cap ---------------------------------------------------------------------------------

describe('fetchPage: timeout and body cap (P7, P14, W17)', async () => {
  const timers = new Set<NodeJS.Timeout>();
  after(() => timers.forEach((timer) => clearInterval(timer)));
  const closed: Promise<void>[] = [];
  const site = await startServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/silent') return; // accepts the connection, never answers
    if (path === '/dribble') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 50);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path.startsWith('/slow-redirect/')) {
      const n = Number(path.split('/')[2]);
      setTimeout(() => res.writeHead(302, { location: `/slow-redirect/${n + 1}` }).end(), 150);
      return;
    }
    if (path === '/endless') {
      closed.push(new Promise((resolve) => res.on('close', () => resolve())));
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => { while (!res.destroyed && res.write(chunk)); };
      res.on('drain', pump);
      pump();
      return;
    }
    if (path === '/exact') return void res.end('b'.repeat(1000));
    res.end();
  });

  // A liveness guard, not a speed bound: without the deadline these fetches would hang (a lookup that
  // never answers, a silent server) or end some other way (a dribble completing, a redirect chain
  // reaching its end), which the "timed out" outcome each test asserts tells apart. The guard is far
  // above any deadline so a loaded machine cannot trip it.
  const within = async (_deadlineMs: number, run: () => Promise<FetchOutcome>): Promise<FetchOutcome> => {
    let guard: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_resolve, reject) => {
      guard = setTimeout(() => reject(new Error('the fetch never gave up')), 20_000);
    });
    try {
      return await Promise.race([run(), hung]);
    } finally {
      clearTimeout(guard);
    }
  };

  it('gives up on a server that never answers within timeoutMs', async () => {
    const fetcher = createPageFetcher({ ...OPEN, timeoutMs: 300 });
    expectFailed(await within(1000, () => fetcher.fetch(`${site.base}/silent`)), /timed out after 300 ms/, true);
  });

  it('gives up on a server that dribbles its body within timeoutMs', async () => {
    const fetcher = createPageFetcher({ ...OPEN, timeoutMs: 300 });
    expectFailed(await within(1000, () => fetcher.fetch(`${site.base}/dribble`)), /timed out/, true);
  });

  it('counts DNS resolution against the deadline', async () => {
    const never: LookupFunction = () => undefined;
    const fetcher = createPageFetcher({ ...guarded(site.port), timeoutMs: 300 }, { lookup: never });
    expectFailed(await within(1000, () => fetcher.fetch(`http://slow-dns.example:${site.port}/`)), /timed out/, true);
  });

  it('applies one deadline to the whole redirect chain, not one per hop', async () => {
    const fetcher = createPageFetcher({ ...OPEN, timeoutMs: 400, maxRedirects: 10 });
    expectFailed(await within(1200, () => fetcher.fetch(`${site.base}/slow-redirect/0`)), /timed out/, true);
  });

  // The endless response only ends when the client drops the connection, so waiting for its close
  // is the check; the test's timeout fails a fetcher that kept reading instead of hanging the run.
  it('stops reading at maxBytes, drops the connection and marks the body truncated', { timeout: 30_000 }, async () => {
    const fetcher = createPageFetcher({ ...OPEN, maxBytes: 150 * 1024 });
    const outcome = expectOk(await fetcher.fetch(`${site.base}/endless`));
    assert.equal(outcome.truncated, true);
    assert.equal(outcome.body.length, 150 * 1024);
    await Promise.all(closed);
  });

  it('does not mark a body of exactly maxBytes as truncated', async () => {
    const outcome = expectOk(await createPageFetcher({ ...OPEN, maxBytes: 1000 }).fetch(`${site.base}/exact`));
    assert.equal(outcome.body.length, 1000);
    assert.equal(outcome.truncated, false);
  });
});

// ---- character sets ---------------------------------------------------------------------------------------------

describe('fetchPage: decoding', async () => {
  const pages: Record<string, [string, Buffer]> = {
    '/sjis': ['text/html; charset=Shift_JIS', iconv.encode('<p>日本語のページ</p>', 'shift_jis')],
    '/cp1251-meta': ['text/html', iconv.encode('<html><head><meta charset="windows-1251"></head><p>Привет, мир</p>', 'windows-1251')],
    '/cp1251-equiv': ['text/html', iconv.encode('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>Ёжик</p>', 'windows-1251')],
    '/header-wins': ['text/html; charset=windows-1251', iconv.encode('<meta charset="shift_jis"><p>Ёжик</p>', 'windows-1251')],
    '/unknown': ['text/html; charset=x-no-such-thing', Buffer.from('<p>naïve</p>', 'utf8')],
    '/utf7': ['text/html; charset=utf-7', Buffer.from('+ADw-script+AD4-', 'ascii')],
  };
  const site = await startServer((req, res) => {
    const [type, body] = pages[req.url ?? ''] ?? ['text/plain', Buffer.from('missing')];
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  const fetchBody = async (path: string) => expectOk(await createPageFetcher(OPEN).fetch(`${site.base}${path}`)).body;

  it('decodes Shift_JIS named in the Content-Type header', async () => {
    assert.equal(await fetchBody('/sjis'), '<p>日本語のページ</p>');
  });

  it('decodes windows-1251 named by <meta charset>', async () => {
    assert.match(await fetchBody('/cp1251-meta'), /<p>Привет, мир<\/p>/);
  });

  it('decodes windows-1251 named by <meta http-equiv="Content-Type">', async () => {
    assert.match(await fetchBody('/cp1251-equiv'), /<p>Ёжик<\/p>/);
  });

  it('prefers the header charset over <meta>', async () => {
    assert.match(await fetchBody('/header-wins'), /<p>Ёжик<\/p>/);
  });

  it('falls back to UTF-8 for unknown labels and never decodes UTF-7', async () => {
    assert.equal(await fetchBody('/unknown'), '<p>naïve</p>');
    assert.equal(await fetchBody('/utf7'), '+ADw-script+AD4-');
  });
});

// ---- network failures ----------------------------------------------------------------------------------------------

describe('fetchPage: failures', async () => {
  const resetter = await startServer((req) => req.socket.destroy());
  const plain = await startServer((_req, res) => res.end('plain http'));
  const closedPort = await (async () => {
    const gone = await startServer(() => undefined);
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return gone.port;
  })();

  it('reports a refused connection as a temporary failure', async () => {
    expectFailed(await createPageFetcher(OPEN).fetch(`http://127.0.0.1:${closedPort}/`), /ECONNREFUSED/, true);
  });

  it('reports a reset connection as a temporary failure', async () => {
    expectFailed(await createPageFetcher(OPEN).fetch(`${resetter.base}/`), /ECONNRESET|socket hang up/, true);
  });

  it('reports a DNS failure as a temporary failure', async () => {
    const fetcher = createPageFetcher(OPEN, { lookup: table({}) });
    expectFailed(await fetcher.fetch('http://no-such-host.example/'), /ENOTFOUND/, true);
  });

  it('reports a TLS handshake failure as a permanent failure', async () => {
    expectFailed(await createPageFetcher(OPEN).fetch(`https://127.0.0.1:${plain.port}/`), /SSL|TLS|EPROTO/i, false);
  });
});

// ---- rate and concurrency limits ---------------------------------------------------------------------------------

describe('fetchPage: flood limits', async () => {
  const releases: (() => void)[] = [];
  const site = await startServer((req, res) => {
    if (req.url === '/hold') releases.push(() => res.end('released'));
    else res.end('ok');
  });
  after(() => releases.forEach((release) => release()));
  const names = table({ 'a.example': ['127.0.0.1'], 'b.example': ['127.0.0.1'], 'c.example': ['127.0.0.1'] });
  const waitFor = async (condition: () => boolean): Promise<void> => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('refuses the N+1th fetch to one host within a minute without connecting, other hosts unaffected', async () => {
    const fetcher = createPageFetcher({ ...OPEN, perHostPerMinute: 3 }, { lookup: names });
    const before = site.connections;
    for (let i = 0; i < 3; i += 1) expectOk(await fetcher.fetch(`http://a.example:${site.port}/`));
    expectRefused(await fetcher.fetch(`http://a.example:${site.port}/`), /per-host rate limit.*3 fetches per minute to a\.example/);
    assert.equal(site.connections - before, 3);
    expectOk(await fetcher.fetch(`http://b.example:${site.port}/`));
  });

  it('refuses past the global per-minute budget across hosts', async () => {
    const fetcher = createPageFetcher({ ...OPEN, globalPerMinute: 2 }, { lookup: names });
    expectOk(await fetcher.fetch(`http://a.example:${site.port}/`));
    expectOk(await fetcher.fetch(`http://b.example:${site.port}/`));
    const before = site.connections;
    expectRefused(await fetcher.fetch(`http://c.example:${site.port}/`), /global rate limit/);
    assert.equal(site.connections, before);
  });

  it('a fetch over the per-host in-flight limit waits for the slot (other hosts go ahead), then runs', async () => {
    const fetcher = createPageFetcher({ ...OPEN, perHostConcurrent: 1 }, { lookup: names });
    const first = fetcher.fetch(`http://a.example:${site.port}/hold`);
    await waitFor(() => releases.length === 1);
    let secondDone = false;
    const second = fetcher.fetch(`http://a.example:${site.port}/`).finally(() => (secondDone = true));
    expectOk(await fetcher.fetch(`http://b.example:${site.port}/`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(secondDone, false, 'the second fetch to a.example must wait while the first holds the only slot');
    releases.shift()!();
    assert.equal(expectOk(await first).body, 'released');
    assert.equal(expectOk(await second).body, 'ok');
  });

  it('refuses at once when the line of fetches waiting for one host is full', async () => {
    const fetcher = createPageFetcher({ ...OPEN, perHostConcurrent: 1, perHostWaiting: 1 }, { lookup: names });
    const first = fetcher.fetch(`http://a.example:${site.port}/hold`);
    await waitFor(() => releases.length === 1);
    const waiting = fetcher.fetch(`http://a.example:${site.port}/`);
    const before = site.connections;
    expectRefused(await fetcher.fetch(`http://a.example:${site.port}/`), /per-host concurrency limit.*1 waiting/);
    assert.equal(site.connections, before);
    releases.shift()!();
    expectOk(await first);
    expectOk(await waiting);
  });

  it('a fetch waiting for a slot gives up at its deadline', async () => {
    const limits = new FetchLimits({ perHostPerMinute: 100, globalPerMinute: 100, perHostConcurrent: 1, globalConcurrent: 1 });
    const holder = await limits.acquire('a.example');
    assert.ok(holder.granted);
    const waited = await limits.acquire('b.example', AbortSignal.timeout(50));
    assert.equal(waited.granted, false);
    assert.match(waited.granted ? '' : waited.reason, /concurrency limit reached/);
    assert.deepEqual(limits.stats(), { inFlight: 1, waiting: 0 });
    holder.release();
    const after = await limits.acquire('b.example');
    assert.ok(after.granted);
    after.release();
  });
});

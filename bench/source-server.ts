/**
 * The linking pages for the linkback scenarios: a blog post of a realistic size (~6 KiB of HTML)
 * with one link to the target, at any path, so every ping can name a new source URL.
 *
 * Listens on SOURCE_HOSTS loopback addresses (127.0.0.1, 127.0.0.2, …), one port each: real pings
 * come from many hosts, and Backtalk's outbound budget is per host name (2 fetches in flight per
 * host), so a single source host would measure that flood guard instead of the linkback path.
 *
 * Env: SOURCE_TARGET (the URL every page links to), SOURCE_HOSTS (default 32).
 * Prints `Sources serving on URL URL …` once all listen.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const target = process.env.SOURCE_TARGET ?? '';
const hosts = Number(process.env.SOURCE_HOSTS ?? '32');
if (!target || !Number.isInteger(hosts) || hosts < 1 || hosts > 250) {
  process.stderr.write('source-server: SOURCE_TARGET is required, SOURCE_HOSTS must be 1..250\n');
  process.exit(2);
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const paragraph = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.</p>\n';

function page(path: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A post that links to the benchmark post ${escapeHtml(path)}</title>
<link rel="stylesheet" href="/style.css"></head>
<body><header><nav><a href="/">Home</a> <a href="/archive">Archive</a> <a href="/about">About</a></nav></header>
<main><article class="h-entry"><h1 class="p-name">Thoughts on the benchmark post</h1>
<p class="p-author h-card">Bench Writer</p>
${paragraph.repeat(12)}<p>As <a href="${escapeHtml(target)}">this post</a> explains, a comment server must be fast.</p>
${paragraph.repeat(12)}</article></main>
<footer><p>© Bench Writer</p></footer></body></html>
`;
}

const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
  const body = Buffer.from(page(req.url ?? '/'));
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  res.end(body);
};

const servers = Array.from({ length: hosts }, () => createServer(onRequest));
const urls: string[] = [];
await Promise.all(servers.map((server, i) => new Promise<void>((resolve) => {
  server.keepAliveTimeout = 5_000;
  server.listen(0, `127.0.0.${i + 1}`, () => {
    urls[i] = `http://127.0.0.${i + 1}:${(server.address() as AddressInfo).port}`;
    resolve();
  });
})));
process.stdout.write(`Sources serving on ${urls.join(' ')}\n`);

function stop(): void {
  for (const server of servers) {
    server.close();
    server.closeAllConnections();
  }
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

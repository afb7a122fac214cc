/**
 * Peak memory of importing a large generated WXR: the import runs in a child process of its own,
 * which reports its peak resident set size (getrusage maxrss), so generating the file is not counted.
 *
 *   node --import tsx bench/import-rss.ts [MB=200] [node options for the importing process…]
 *
 * Prints one JSON line: file size, comments, seconds, peak RSS of the importing process.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMENTS_PER_POST = 40;

/** Writes a WXR of about `mb` megabytes the way WordPress lays it out; answers the comment count. */
export async function generateWxr(file: string, mb: number): Promise<number> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const paragraph = 'Comments are the conversation a post starts; this one is long enough to look like a real reader\'s reply. ';
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://blog.example</link><wp:wxr_version>1.2</wp:wxr_version>
`);
  let id = 0;
  let post = 0;
  const limit = mb * 1024 * 1024;
  while (out.bytesWritten + out.writableLength < limit) {
    post++;
    let item = `<item><title><![CDATA[Post ${post}]]></title><link>https://blog.example/${post}/</link>
<content:encoded><![CDATA[<p>${paragraph.repeat(20)}</p>]]></content:encoded><wp:post_id>${post}</wp:post_id>
<wp:post_date_gmt><![CDATA[2020-01-01 00:00:00]]></wp:post_date_gmt><wp:comment_status><![CDATA[open]]></wp:comment_status>
<wp:ping_status><![CDATA[open]]></wp:ping_status><wp:post_type><![CDATA[post]]></wp:post_type>
`;
    const first = id + 1;
    for (let i = 0; i < COMMENTS_PER_POST; i++) {
      id++;
      const type = i % 20 === 7 ? 'pingback' : i % 20 === 13 ? 'trackback' : 'comment';
      const parent = type === 'comment' && i % 3 === 2 ? id - 1 : 0;
      const url = type === 'comment' ? `https://reader${id}.example/` : `https://linker${id}.example/post/`;
      item += `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author><![CDATA[Reader ${id}]]></wp:comment_author>
<wp:comment_author_email><![CDATA[reader${id}@example.org]]></wp:comment_author_email><wp:comment_author_url>${url}</wp:comment_author_url>
<wp:comment_author_IP><![CDATA[203.0.113.${id % 250}]]></wp:comment_author_IP><wp:comment_date><![CDATA[2020-01-02 03:04:05]]></wp:comment_date>
<wp:comment_date_gmt><![CDATA[2020-01-02 03:04:05]]></wp:comment_date_gmt>
<wp:comment_content><![CDATA[${paragraph.repeat(8)}
Second paragraph, with <strong>markup</strong> and a link: https://example.org/${id}]]></wp:comment_content>
<wp:comment_approved><![CDATA[${i % 10 === 9 ? 'spam' : i % 10 === 8 ? '0' : '1'}]]></wp:comment_approved>
<wp:comment_type><![CDATA[${type}]]></wp:comment_type><wp:comment_parent>${parent >= first ? parent : 0}</wp:comment_parent>
<wp:comment_user_id>0</wp:comment_user_id></wp:comment>
`;
    }
    await write(`${item}</item>\n`);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'close');
  return id;
}

/** Child mode: import FILE into a fresh database at DB, print the result with the peak RSS. */
async function importOnly(file: string, db: string): Promise<void> {
  const { openSqliteStore } = await import('../src/store/sqlite/sqlite-store.js');
  const { importFile } = await import('../src/import/run-import.js');
  const store = openSqliteStore(db);
  const started = Date.now();
  // What JavaScript itself holds (heap plus Buffers), sampled: unlike RSS it does not include SQLite's
  // page cache or the allocator's slack, so it shows plainly whether the file is held in memory.
  let peakJs = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakJs = Math.max(peakJs, m.heapUsed + m.external);
  };
  const sampler = setInterval(sample, 20);
  const counts = await importFile(store, { format: 'wxr', file, site: 'https://blog.example', keepIp: false });
  clearInterval(sampler);
  sample();
  await store.close();
  process.stdout.write(JSON.stringify({
    comments: counts.comments, threads: counts.threads, seconds: (Date.now() - started) / 1000,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    peakJsMb: Math.round(peakJs / 1048576),
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1048576),
  }));
}

/** Generates an `mb` MB file, imports it in a child process, and reports. */
export async function measure(mb: number, nodeArgs: readonly string[] = []): Promise<{ fileMb: number; comments: number; threads: number; seconds: number; peakRssMb: number; peakJsMb: number; heapLimitMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-rss-'));
  try {
    const file = join(dir, 'big.wxr');
    await generateWxr(file, mb);
    const self = fileURLToPath(import.meta.url);
    const out = execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', self, '--import-only', file, join(dir, 'bench.db')], {
      cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', maxBuffer: 1 << 20,
    });
    return { fileMb: Math.round(statSync(file).size / 1048576), ...(JSON.parse(out) as { comments: number; threads: number; seconds: number; peakRssMb: number; peakJsMb: number; heapLimitMb: number }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--import-only') {
    await importOnly(process.argv[3]!, process.argv[4]!);
  } else {
    const mb = Number(process.argv[2] ?? 200);
    process.stdout.write(`${JSON.stringify(await measure(mb, process.argv.slice(3)))}\n`);
  }
}

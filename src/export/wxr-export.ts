/**
 * WordPress eXtended RSS 1.2, the format of WordPress's Tools → Import: one <item> per thread that
 * has comments, its comments, trackbacks, pingbacks and webmentions as <wp:comment> elements with
 * their type, approval state, dates and parent. Text goes in CDATA sections, as WordPress writes it.
 * What WordPress has no field for (a deleted comment kept as a placeholder, a linkback's title) rides
 * along as comment meta, which WordPress stores and our own WXR import reads back.
 */
import type { CommentStatus, Thread } from '../domain/comment.js';
import type { ExportedComment, Store } from '../store/repository.js';
import { localDateTime } from '../lib/time-zone.js';
import { escapeXml } from '../lib/xml.js';
import { instanceId } from './instance.js';
import { writeFileStreaming } from './file-writer.js';

const APPROVED: Readonly<Record<CommentStatus, string>> = { approved: '1', pending: '0', spam: 'spam', trash: 'trash' };

/** WordPress's wxr_cdata(): a `]]>` inside the text is split across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** RSS 2.0 pubDate (RFC 822) with a numeric zone, as WordPress writes it. */
function rssDate(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

/** WordPress's MySQL datetime in UTC, for the `_gmt` fields. */
function wpDateGmt(d: Date): string {
  return localDateTime(d, 'UTC');
}

export interface WxrOptions {
  /** `wp:base_site_url`, and the channel's link. */
  site: string;
  /**
   * The blog's time zone (BACKTALK_TIMEZONE): `post_date` and `comment_date` are local time in it, as
   * WordPress writes them, and WordPress's importer keeps them as they are; the `_gmt` fields are UTC.
   */
  timeZone: string;
}

function itemOpen(t: Thread, timeZone: string): string {
  return `\t<item>
\t\t<title>${cdata(t.title ?? t.target)}</title>
\t\t<link>${escapeXml(t.target)}</link>
\t\t<pubDate>${rssDate(t.created)}</pubDate>
\t\t<guid isPermaLink="true">${escapeXml(t.target)}</guid>
\t\t<description></description>
\t\t<content:encoded>${cdata('')}</content:encoded>
\t\t<wp:post_id>${t.id}</wp:post_id>
\t\t<wp:post_date>${cdata(localDateTime(t.created, timeZone))}</wp:post_date>
\t\t<wp:post_date_gmt>${cdata(wpDateGmt(t.created))}</wp:post_date_gmt>
\t\t<wp:comment_status>${cdata(t.commentsClosed ? 'closed' : 'open')}</wp:comment_status>
\t\t<wp:ping_status>${cdata(t.linkbacksClosed ? 'closed' : 'open')}</wp:ping_status>
\t\t<wp:status>${cdata('publish')}</wp:status>
\t\t<wp:post_type>${cdata('post')}</wp:post_type>
`;
}

function commentMeta(key: string, value: string): string {
  return `\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>${cdata(key)}</wp:meta_key>\n\t\t\t\t<wp:meta_value>${cdata(value)}</wp:meta_value>\n\t\t\t</wp:commentmeta>\n`;
}

function commentXml(c: ExportedComment, timeZone: string): string {
  // A linkback's "author URL" is its source page in WordPress.
  const url = c.kind === 'comment' ? c.url : c.source ?? c.url;
  return `\t\t<wp:comment>
\t\t\t<wp:comment_id>${c.id}</wp:comment_id>
\t\t\t<wp:comment_author>${cdata(c.author)}</wp:comment_author>
\t\t\t<wp:comment_author_email>${cdata(c.email)}</wp:comment_author_email>
\t\t\t<wp:comment_author_url>${escapeXml(url)}</wp:comment_author_url>
\t\t\t<wp:comment_author_IP>${cdata(c.ip)}</wp:comment_author_IP>
\t\t\t<wp:comment_date>${cdata(localDateTime(c.created, timeZone))}</wp:comment_date>
\t\t\t<wp:comment_date_gmt>${cdata(wpDateGmt(c.created))}</wp:comment_date_gmt>
\t\t\t<wp:comment_content>${cdata(c.bodyHtml)}</wp:comment_content>
\t\t\t<wp:comment_approved>${cdata(APPROVED[c.status])}</wp:comment_approved>
\t\t\t<wp:comment_type>${cdata(c.kind)}</wp:comment_type>
\t\t\t<wp:comment_parent>${c.parent ?? 0}</wp:comment_parent>
\t\t\t<wp:comment_user_id>0</wp:comment_user_id>
${c.deleted ? commentMeta('backtalk_deleted', '1') : ''}${c.title !== null ? commentMeta('backtalk_title', c.title) : ''}\t\t</wp:comment>
`;
}

export async function exportWxr(store: Store, file: string, options: WxrOptions, onRecord?: () => void): Promise<{ threads: number; comments: number }> {
  const { site, timeZone } = options;
  const instance = await instanceId(store);
  const counts = { threads: 0, comments: 0 };
  const snapshot = store.transfer.readSnapshot?.bind(store.transfer) ?? (<T>(work: () => Promise<T>) => work());
  await snapshot(() => writeFileStreaming(file, async (w) => {
    await w.write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
\t<title>${cdata(`Comments of ${site}`)}</title>
\t<link>${escapeXml(site)}</link>
\t<description></description>
\t<pubDate>${rssDate(new Date())}</pubDate>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>${escapeXml(site)}</wp:base_site_url>
\t<wp:base_blog_url>${escapeXml(site)}</wp:base_blog_url>
\t<generator>https://github.com/backtalk (Backtalk export)</generator>
`);
    let threadId: number | undefined;
    for await (const c of store.transfer.exportComments(instance, 'thread')) {
      if (c.threadId !== threadId) {
        if (threadId !== undefined) await w.write('\t</item>\n');
        const thread = await store.threads.findById(c.threadId);
        if (!thread) throw new Error(`thread ${c.threadId} vanished during the export`);
        await w.write(itemOpen(thread, timeZone));
        threadId = c.threadId;
        counts.threads++;
      }
      await w.write(commentXml(c, timeZone));
      counts.comments++;
      onRecord?.();
    }
    if (threadId !== undefined) await w.write('\t</item>\n');
    await w.write('</channel>\n</rss>\n');
  }));
  return counts;
}

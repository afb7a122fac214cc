/**
 * The discovery markup a post template carries: TrackBack's RDF block (inside an HTML comment, as
 * Movable Type and WordPress print it) and the Pingback / Webmention `<link>` tags. Pure.
 */
import { escapeXml } from '../lib/xml.js';

export interface DiscoveryUrls {
  target: string;
  title: string;
  trackbackUrl: string;
  pingbackUrl: string;
  webmentionUrl: string;
  /** The thread's Atom feed, announced as rel="alternate" when given. */
  feedUrl?: string;
}

/** `--` would end the surrounding HTML comment early; WordPress writes it as two character references. */
function commentSafe(value: string): string {
  return escapeXml(value).replace(/--/g, '&#x2d;&#x2d;');
}

export function formatDiscovery(urls: DiscoveryUrls): string {
  return [
    '<!--',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
    '         xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">',
    `<rdf:Description rdf:about="${commentSafe(urls.target)}"`,
    `    dc:identifier="${commentSafe(urls.target)}"`,
    `    dc:title="${commentSafe(urls.title)}"`,
    `    trackback:ping="${commentSafe(urls.trackbackUrl)}" />`,
    '</rdf:RDF>',
    '-->',
    // Pingback 1.0 §2.3: exactly this form, absolute URL, only &amp; &lt; &gt; &quot; as entities.
    `<link rel="pingback" href="${escapeXml(urls.pingbackUrl)}">`,
    `<link rel="webmention" href="${escapeXml(urls.webmentionUrl)}">`,
    ...(urls.feedUrl ? [`<link rel="alternate" type="application/atom+xml" title="Comments" href="${escapeXml(urls.feedUrl)}">`] : []),
    '',
  ].join('\n');
}

/**
 * Webmention endpoint discovery, the cases of the W3C Webmention test suite's discovery list
 * (webmention.rocks tests 1-23), each served by a real page on loopback with a decoy endpoint where
 * the case has one. The sender sends one post linking all of them; each case passes when exactly one
 * Webmention arrived, at the right endpoint (query string kept), with the post as source and the
 * case's page as target, and nothing arrived at the decoy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../helpers/test-server.js';
import { formOf, postPage, sendAndWait, startScriptedServer, startSender, linkTo, type ScriptedServer } from './support.js';
import type { SendStatusJson } from '../../src/send/send-service.js';

interface Case {
  n: number;
  name: string;
  /** Sets up /test/N (and its endpoints) on the receiver `r`. */
  setup(r: ScriptedServer): void;
  /** Path and query where the Webmention must arrive. */
  endpoint: string;
  /** The URL that was linked, when not /test/N. */
  linked?: string;
}

const ok = () => ({ status: 202, body: 'Accepted' });
const html = (head: string, body = '') => `<!doctype html><html><head><meta charset="utf-8">${head}<title>t</title></head><body>${body}</body></html>`;
const endpoints = (r: ScriptedServer, ...paths: string[]) => paths.forEach((p) => r.on(p, ok));

const CASES: Case[] = [
  { n: 1, name: 'HTTP Link header, unquoted rel, relative URL', endpoint: '/test/1/webmention?head=true',
    setup: (r) => { r.page('/test/1', html(''), { link: '</test/1/webmention?head=true>; rel=webmention' }); endpoints(r, '/test/1/webmention'); } },
  { n: 2, name: 'HTTP Link header, unquoted rel, absolute URL', endpoint: '/test/2/webmention?head=true',
    setup: (r) => { r.page('/test/2', html(''), { link: `<${r.url('/test/2/webmention?head=true')}>; rel=webmention` }); endpoints(r, '/test/2/webmention'); } },
  { n: 3, name: 'HTML <link> tag, relative URL', endpoint: '/test/3/webmention',
    setup: (r) => { r.page('/test/3', html('<link rel="webmention" href="/test/3/webmention">')); endpoints(r, '/test/3/webmention'); } },
  { n: 4, name: 'HTML <link> tag, absolute URL', endpoint: '/test/4/webmention',
    setup: (r) => { r.page('/test/4', html(`<link rel="webmention" href="${r.url('/test/4/webmention')}">`)); endpoints(r, '/test/4/webmention'); } },
  { n: 5, name: 'HTML <a> tag, relative URL', endpoint: '/test/5/webmention',
    setup: (r) => { r.page('/test/5', html('', '<p>Endpoint: <a rel="webmention" href="/test/5/webmention">here</a></p>')); endpoints(r, '/test/5/webmention'); } },
  { n: 6, name: 'HTML <a> tag, absolute URL', endpoint: '/test/6/webmention',
    setup: (r) => { r.page('/test/6', html('', `<a rel="webmention" href="${r.url('/test/6/webmention')}">here</a>`)); endpoints(r, '/test/6/webmention'); } },
  { n: 7, name: 'HTTP Link header with strange casing', endpoint: '/test/7/webmention?head=true',
    setup: (r) => { r.page('/test/7', html(''), { LinK: '</test/7/webmention?head=true>; REL="WebMention"' }); endpoints(r, '/test/7/webmention'); } },
  { n: 8, name: 'HTTP Link header, quoted rel', endpoint: '/test/8/webmention?head=true',
    setup: (r) => { r.page('/test/8', html(''), { link: '</test/8/webmention?head=true>; rel="webmention"' }); endpoints(r, '/test/8/webmention'); } },
  { n: 9, name: 'Multiple rel values on a <link> tag', endpoint: '/test/9/webmention',
    setup: (r) => { r.page('/test/9', html('<link rel="webmention somethingelse" href="/test/9/webmention">')); endpoints(r, '/test/9/webmention'); } },
  { n: 10, name: 'Multiple rel values on a Link header', endpoint: '/test/10/webmention?head=true',
    setup: (r) => { r.page('/test/10', html(''), { link: '</test/10/webmention?head=true>; rel="webmention somethingelse"' }); endpoints(r, '/test/10/webmention'); } },
  { n: 11, name: 'Multiple endpoints: Link header, <link> and <a> (the header wins)', endpoint: '/test/11/webmention?head=true',
    setup: (r) => {
      r.page('/test/11', html('<link rel="webmention" href="/test/11/wrong-link">', '<a rel="webmention" href="/test/11/wrong-a">x</a>'),
        { link: '</test/11/webmention?head=true>; rel="webmention"' });
      endpoints(r, '/test/11/webmention', '/test/11/wrong-link', '/test/11/wrong-a');
    } },
  { n: 12, name: 'Exact match of rel=webmention (rel="not-webmention" ignored)', endpoint: '/test/12/webmention',
    setup: (r) => {
      r.page('/test/12', html('<link rel="not-webmention" href="/test/12/wrong"><link rel="webmention" href="/test/12/webmention">'));
      endpoints(r, '/test/12/webmention', '/test/12/wrong');
    } },
  { n: 13, name: 'False endpoint inside an HTML comment', endpoint: '/test/13/webmention',
    setup: (r) => {
      r.page('/test/13', html('<!-- <link rel="webmention" href="/test/13/wrong"> -->', '<a rel="webmention" href="/test/13/webmention">x</a>'));
      endpoints(r, '/test/13/webmention', '/test/13/wrong');
    } },
  { n: 14, name: 'False endpoint in escaped HTML', endpoint: '/test/14/webmention',
    setup: (r) => {
      r.page('/test/14', html('', '<code>&lt;a href="/test/14/wrong" rel="webmention"&gt;&lt;/a&gt;</code><a rel="webmention" href="/test/14/webmention">x</a>'));
      endpoints(r, '/test/14/webmention', '/test/14/wrong');
    } },
  { n: 15, name: 'Webmention href is an empty string (the page itself)', endpoint: '/test/15',
    setup: (r) => r.on('/test/15', (req) => (req.method === 'POST' ? ok() : { body: html('<link rel="webmention" href="">') })) },
  { n: 16, name: 'Multiple endpoints: <a> before <link> (first in document order)', endpoint: '/test/16/webmention',
    setup: (r) => {
      r.page('/test/16', `<!doctype html><html><body><a rel="webmention" href="/test/16/webmention">x</a><link rel="webmention" href="/test/16/wrong"></body></html>`);
      endpoints(r, '/test/16/webmention', '/test/16/wrong');
    } },
  { n: 17, name: 'Multiple endpoints: <link> before <a>', endpoint: '/test/17/webmention',
    setup: (r) => {
      r.page('/test/17', html('<link rel="webmention" href="/test/17/webmention">', '<a rel="webmention" href="/test/17/wrong">x</a>'));
      endpoints(r, '/test/17/webmention', '/test/17/wrong');
    } },
  { n: 18, name: 'Multiple HTTP Link headers', endpoint: '/test/18/webmention?head=true',
    setup: (r) => {
      r.page('/test/18', html(''), { link: ['<https://nowhere.example/>; rel="other"', '</test/18/webmention?head=true>; rel="webmention"'] });
      endpoints(r, '/test/18/webmention');
    } },
  { n: 19, name: 'Single HTTP Link header with multiple values', endpoint: '/test/19/webmention?head=true',
    setup: (r) => {
      r.page('/test/19', html(''), { link: '<https://nowhere.example/>; rel="other", </test/19/webmention?head=true>; rel="webmention"' });
      endpoints(r, '/test/19/webmention');
    } },
  { n: 20, name: 'Link tag with no href attribute (passed over)', endpoint: '/test/20/webmention',
    setup: (r) => { r.page('/test/20', html('<link rel="webmention">', '<a rel="webmention" href="/test/20/webmention">x</a>')); endpoints(r, '/test/20/webmention'); } },
  { n: 21, name: 'Endpoint has query string parameters (kept, not moved into the body)', endpoint: '/test/21/webmention?query=yes',
    setup: (r) => { r.page('/test/21', html('<link rel="webmention" href="/test/21/webmention?query=yes">')); endpoints(r, '/test/21/webmention'); } },
  { n: 22, name: 'Endpoint relative to the path', endpoint: '/test/22/webmention',
    setup: (r) => { r.page('/test/22', html('<link rel="webmention" href="22/webmention">')); endpoints(r, '/test/22/webmention'); } },
  { n: 23, name: 'Target is a redirect and the endpoint is relative (resolved against the final URL)', endpoint: '/test/23/page/webmention-endpoint/abc',
    setup: (r) => {
      r.page('/test/23/page', 'moved', { location: '/test/23/page/XYZ' }, 302);
      r.page('/test/23/page/XYZ', html(''), { link: '<webmention-endpoint/abc>; rel="webmention"' });
      r.page('/test/23/webmention-endpoint/abc', 'wrong', {}, 202);
      // Against the final URL /test/23/page/XYZ; against the first URL it would be the decoy above.
      endpoints(r, '/test/23/page/webmention-endpoint/abc');
    },
    linked: '/test/23/page' },
];

describe('Webmention discovery: the W3C test suite cases', () => {
  let blog: ScriptedServer;
  let receiver: ScriptedServer;
  let sender: TestServer;
  let status: SendStatusJson;
  let post: string;

  before(async () => {
    blog = await startScriptedServer();
    receiver = await startScriptedServer();
    for (const c of CASES) c.setup(receiver);
    post = blog.url('/2026/12/discovery/');
    blog.page('/2026/12/discovery/', postPage(post, CASES.map((c) => receiver.url(c.linked ?? `/test/${c.n}`))));
    sender = await startSender(blog.origin);
    status = await sendAndWait(sender, post);
  });
  after(async () => {
    await sender.close();
    await blog.close();
    await receiver.close();
  });

  for (const c of CASES) {
    test(`${c.n}. ${c.name}`, () => {
      const target = receiver.url(c.linked ?? `/test/${c.n}`);
      const posts = receiver.arrived.filter((a) => a.method === 'POST' && a.path.startsWith(`/test/${c.n}`) && (a.path.length === `/test/${c.n}`.length || !/\d/.test(a.path[`/test/${c.n}`.length]!)));
      assert.deepEqual(posts.map((p) => p.path), [c.endpoint], 'exactly one Webmention, at the advertised endpoint');
      assert.deepEqual(formOf(posts[0]!.body), [['source', post], ['target', target]], 'the body carries source and target only');
      assert.match(String(posts[0]!.headers['content-type']), /^application\/x-www-form-urlencoded/);
      const link = linkTo(status, target);
      assert.equal(link.protocol, 'webmention');
      assert.equal(link.state, 'sent', link.response);
    });
  }

  test('navigation, footer and the post itself were not pinged', () => {
    const targets = status.links.map((l) => l.target);
    assert.equal(targets.length, CASES.length);
    assert.ok(!targets.some((t) => t.includes('nav.example') || t.includes('footer.example') || t === post));
  });

  test('every request names Backtalk and its URL in the User-Agent', () => {
    for (const a of receiver.arrived) assert.match(String(a.headers['user-agent']), /^Backtalk\/\S+ \(linkback sender; \+http:\/\/127\.0\.0\.1:\d+\)$/);
  });
});

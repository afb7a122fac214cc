/**
 * The three protocol clients against receivers written here from each spec, which record exactly what
 * arrived: the request each protocol defines, the order Webmention → Pingback → TrackBack, the
 * receiver's answer recorded for the owner, and final answers never retried.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../helpers/test-server.js';
import {
  formOf, linkTo, pingbackEndpoint, postPage, readCall, sendAndWait, startScriptedServer, startSender, trackbackEndpoint,
  trackbackRdf, webmentionEndpoint, type ScriptedServer,
} from './support.js';

const page = (head: string, body = '') => `<!doctype html><html><head>${head}<title>Their post</title></head><body>${body}</body></html>`;

describe('sending over each protocol to spec receivers', () => {
  let blog: ScriptedServer;
  let other: ScriptedServer;
  let sender: TestServer;

  before(async () => {
    blog = await startScriptedServer();
    other = await startScriptedServer();
    sender = await startSender(blog.origin);
  });
  after(async () => {
    await sender.close();
    await blog.close();
    await other.close();
  });

  test('Webmention: a form POST of source and target; 201 Location recorded as the answer', async () => {
    other.page('/wm', page('<link rel="webmention" href="/wm/endpoint">'));
    webmentionEndpoint(other, '/wm/endpoint', () => ({ status: 201, headers: { location: '/wm/status/7' }, body: '' }));
    const post = blog.url('/p/wm/');
    blog.page('/p/wm/', postPage(post, [other.url('/wm')]));
    const status = await sendAndWait(sender, post);

    const [arrived, ...more] = other.to('/wm/endpoint');
    assert.equal(more.length, 0);
    assert.equal(arrived!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(formOf(arrived!.body), [['source', post], ['target', other.url('/wm')]]);
    assert.deepEqual(linkTo(status, other.url('/wm')), {
      target: other.url('/wm'), protocol: 'webmention', state: 'sent', response: `HTTP 201 ${other.url('/wm/status/7')}`,
    });
  });

  test('Pingback: XML-RPC pingback.ping(source, target) to the X-Pingback server; the answer string recorded', async () => {
    other.page('/pb', page(''), { 'x-pingback': other.url('/xmlrpc') });
    pingbackEndpoint(other, '/xmlrpc', () => 'Pingback from you to us registered. Keep the web talking! :-)');
    const post = blog.url('/p/pb/');
    blog.page('/p/pb/', postPage(post, [other.url('/pb')]));
    const status = await sendAndWait(sender, post);

    const calls = other.to('/xmlrpc');
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]!.headers['content-type']), /^text\/xml/);
    assert.deepEqual(await readCall(calls[0]!.body), { method: 'pingback.ping', params: [post, other.url('/pb')] });
    const link = linkTo(status, other.url('/pb'));
    assert.equal(link.protocol, 'pingback');
    assert.equal(link.state, 'sent');
    assert.equal(link.response, 'Pingback from you to us registered. Keep the web talking! :-)');
  });

  test('Pingback discovered from <link rel="pingback"> when there is no header', async () => {
    other.page('/pb-link', page(`<link rel="pingback" href="${other.url('/xmlrpc2')}">`));
    pingbackEndpoint(other, '/xmlrpc2');
    const post = blog.url('/p/pb-link/');
    blog.page('/p/pb-link/', postPage(post, [other.url('/pb-link')]));
    const status = await sendAndWait(sender, post);
    assert.equal(other.to('/xmlrpc2').length, 1);
    assert.equal(linkTo(status, other.url('/pb-link')).protocol, 'pingback');
  });

  test('TrackBack: the RDF block naming the linked page gives the ping URL; url, title, excerpt, blog_name in UTF-8', async () => {
    const target = other.url('/tb');
    other.page('/tb', page('', `${trackbackRdf(other.url('/elsewhere'), other.url('/tb/wrong-ping'))}${trackbackRdf(target, other.url('/tb/ping'))}<p>Their post</p>`));
    trackbackEndpoint(other, '/tb/ping');
    trackbackEndpoint(other, '/tb/wrong-ping');
    const post = blog.url('/p/tb/');
    blog.page('/p/tb/', postPage(post, [target], { title: 'Über TrackBack', text: 'Ein Beitrag über' }));
    const status = await sendAndWait(sender, post);

    assert.equal(other.to('/tb/wrong-ping').length, 0, 'the block describing another page is not used');
    const [ping] = other.to('/tb/ping');
    assert.equal(ping!.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
    const fields = Object.fromEntries(formOf(ping!.body));
    assert.equal(fields.url, post);
    assert.equal(fields.title, 'Über TrackBack');
    assert.match(fields.excerpt!, /^Ein Beitrag über link 1\.$/);
    assert.equal(fields.blog_name, new URL(post).host);
    assert.deepEqual(linkTo(status, target), { target, protocol: 'trackback', state: 'sent', response: 'TrackBack accepted' });
  });

  test('order: a page offering all three gets a Webmention only', async () => {
    const target = other.url('/all');
    other.page('/all', page(`<link rel="pingback" href="${other.url('/all/xmlrpc')}"><link rel="webmention" href="/all/wm">`, trackbackRdf(target, other.url('/all/tb'))),
      { 'x-pingback': other.url('/all/xmlrpc') });
    webmentionEndpoint(other, '/all/wm');
    pingbackEndpoint(other, '/all/xmlrpc');
    trackbackEndpoint(other, '/all/tb');
    const post = blog.url('/p/all/');
    blog.page('/p/all/', postPage(post, [target]));
    await sendAndWait(sender, post);
    assert.equal(other.to('/all/wm').length, 1);
    assert.equal(other.to('/all/xmlrpc').length, 0);
    assert.equal(other.to('/all/tb').length, 0);
  });

  test('Pingback without Webmention beats TrackBack', async () => {
    const target = other.url('/pb-tb');
    other.page('/pb-tb', page('', trackbackRdf(target, other.url('/pb-tb/tb'))), { 'x-pingback': other.url('/pb-tb/xmlrpc') });
    pingbackEndpoint(other, '/pb-tb/xmlrpc');
    trackbackEndpoint(other, '/pb-tb/tb');
    const post = blog.url('/p/pb-tb/');
    blog.page('/p/pb-tb/', postPage(post, [target]));
    await sendAndWait(sender, post);
    assert.equal(other.to('/pb-tb/xmlrpc').length, 1);
    assert.equal(other.to('/pb-tb/tb').length, 0);
  });

  test('no endpoint at all: recorded as protocol none, failed, "no endpoint"', async () => {
    other.page('/plain', page('', '<p>nothing to see</p>'));
    const post = blog.url('/p/plain/');
    blog.page('/p/plain/', postPage(post, [other.url('/plain')]));
    const link = linkTo(await sendAndWait(sender, post), other.url('/plain'));
    assert.equal(link.protocol, 'none');
    assert.equal(link.state, 'failed');
    assert.match(link.response, /^no endpoint/);
  });

  describe('final answers are recorded and never retried', () => {
    const cases: Array<{ name: string; path: string; setup: () => void; protocol: string; response: RegExp; endpoint: string }> = [
      { name: 'Webmention 400', path: '/f-wm', protocol: 'webmention', endpoint: '/f-wm/ep', response: /^HTTP 400: source does not link here$/,
        setup: () => {
          other.page('/f-wm', page('<link rel="webmention" href="/f-wm/ep">'));
          webmentionEndpoint(other, '/f-wm/ep', () => ({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'source does not link here' }));
        } },
      ...[17, 32, 33].map((code) => ({
        name: `Pingback fault ${code}`, path: `/f-pb${code}`, protocol: 'pingback', endpoint: `/f-pb${code}/xmlrpc`, response: new RegExp(`^fault ${code}: nope ${code}$`),
        setup: () => {
          other.page(`/f-pb${code}`, page(''), { 'x-pingback': other.url(`/f-pb${code}/xmlrpc`) });
          pingbackEndpoint(other, `/f-pb${code}/xmlrpc`, () => ({ faultCode: code, faultString: `nope ${code}` }));
        },
      })),
      { name: 'TrackBack error', path: '/f-tb', protocol: 'trackback', endpoint: '/f-tb/ping', response: /^Sorry, trackbacks are closed for this item\.$/,
        setup: () => {
          other.page('/f-tb', page('', trackbackRdf(other.url('/f-tb'), other.url('/f-tb/ping'))));
          trackbackEndpoint(other, '/f-tb/ping', 'Sorry, trackbacks are closed for this item.');
        } },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        c.setup();
        const post = blog.url(`/p${c.path}/`);
        blog.page(`/p${c.path}/`, postPage(post, [other.url(c.path)]));
        const link = linkTo(await sendAndWait(sender, post), other.url(c.path));
        assert.equal(link.protocol, c.protocol);
        assert.equal(link.state, 'failed');
        assert.match(link.response, c.response);
        assert.equal(other.to(c.endpoint).length, 1, 'sent once');
        assert.equal(await sender.deps.store.sends.links.countDue(new Date(8.64e15)), 0, 'nothing left queued');
      });
    }

    test('Pingback fault 48 (already registered) means the receiver has it: sent, not retried', async () => {
      other.page('/f-pb48', page(''), { 'x-pingback': other.url('/f-pb48/xmlrpc') });
      pingbackEndpoint(other, '/f-pb48/xmlrpc', () => ({ faultCode: 48, faultString: 'The pingback has already been registered.' }));
      const post = blog.url('/p/f-pb48/');
      blog.page('/p/f-pb48/', postPage(post, [other.url('/f-pb48')]));
      const link = linkTo(await sendAndWait(sender, post), other.url('/f-pb48'));
      assert.equal(link.state, 'sent');
      assert.equal(link.response, 'fault 48: The pingback has already been registered.');
      assert.equal(other.to('/f-pb48/xmlrpc').length, 1);
    });
  });

  test('a static site\'s delete (<meta http-equiv="Status" content="410 Gone">) re-sends the Webmention like a 410', async () => {
    other.page('/del', page('<link rel="webmention" href="/del/wm">'));
    webmentionEndpoint(other, '/del/wm');
    const post = blog.url('/p/del/');
    blog.page('/p/del/', postPage(post, [other.url('/del')]));
    await sendAndWait(sender, post);
    assert.equal(other.to('/del/wm').length, 1);
    blog.page('/p/del/', '<!doctype html><html><head><meta http-equiv="Status" content="410 Gone"><title>Deleted</title></head><body>This post was deleted.</body></html>');
    await sendAndWait(sender, post);
    assert.equal(other.to('/del/wm').length, 2, 'the receiver is told, so it can remove the mention');
    await sendAndWait(sender, post);
    assert.equal(other.to('/del/wm').length, 2, 'once: still gone is not a change');
  });

  test('/metrics counts sends by protocol and outcome', async () => {
    const res = await sender.admin('/metrics');
    const text = await res.text();
    assert.match(text, /backtalk_sends_total\{protocol="webmention",outcome="sent"\} [1-9]/);
    assert.match(text, /backtalk_sends_total\{protocol="pingback",outcome="sent"\} [1-9]/);
    assert.match(text, /backtalk_sends_total\{protocol="trackback",outcome="refused"\} 1/);
    assert.match(text, /backtalk_sends_total\{protocol="none",outcome="no-endpoint"\} 1/);
  });
});

/**
 * The HTML error page of the no-JavaScript comment form (issue 14, point 14): its "Back to the post"
 * link points only at a target on one of the configured sites, never at whatever the form posted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { POST, SITE, startTestServer } from '../helpers/test-server.js';

function links(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => m[1]!);
}

describe('form error page', () => {
  it('links back to a target on one of the sites', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const res = await server.postForm('/comments', { target: POST, body: '   ' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.deepEqual(links(await res.text()), [POST]);
  });

  it('has no link at all when the posted target is on another site', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const foreign = [
      'https://evil.example/phish',
      `${SITE}.evil.example/post`,
      'http://evil.example/?next=http://blog.example/',
      'https://BLOG.example:8443/post',
    ];
    for (const target of foreign) {
      const res = await server.postForm('/comments', { target, body: 'hello' });
      assert.ok(res.status >= 400 && res.status < 500, `${target}: ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const html = await res.text();
      assert.deepEqual(links(html), [], `${target}: ${html}`);
      assert.doesNotMatch(html, /href=|url=|location/i, `${target}: something on the page still leads away`);
    }
  });
});

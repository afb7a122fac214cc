/**
 * Issue 14, point 3: a source page whose reading runs past the worker time limit
 * (BACKTALK_WORKER_TIMEOUT_MS, here its 10 ms minimum against a 1 MiB page) is abandoned, and the
 * linkback is refused in each protocol's own words: TrackBack `<error>1</error>`, a Pingback fault
 * 0x10, a Webmention status `rejected`. Nothing is stored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useLinkbackServer } from '../helpers/fixtures.js';
import { bigBlogPage, linkingSource, PRIVATE_FETCH } from '../helpers/pages.js';
import { POST } from '../helpers/test-server.js';
import { expectFault, FAULT, ping as pingback } from '../pingback/support.js';
import { expectRefusal, pingFields } from '../trackback/support.js';
import { submitAndProcess, thread } from '../webmention/support.js';

const MiB = 1024 * 1024;

describe('source pages over the worker time limit', () => {
  const { server, source } = useLinkbackServer({ ...PRIVATE_FETCH, BACKTALK_WORKER_TIMEOUT_MS: '10' });
  const bigSource = (path: string) => {
    source.set(path, { body: bigBlogPage(MiB / 4, POST), contentType: 'text/html; charset=utf-8' });
    return source.url(path);
  };

  it('Pingback: fault 0x10', async () => {
    const fault = expectFault(await pingback(server, bigSource('/big-pingback')), FAULT.sourceNotFound);
    assert.notEqual(fault.faultString, '');
  });

  it('TrackBack: <error>1</error>', async () => {
    expectRefusal(await pingFields(server, { url: bigSource('/big-trackback'), title: 'Big', blog_name: 'Big blog', excerpt: 'big' }));
  });

  it('Webmention: status rejected, saying why', async () => {
    const status = await submitAndProcess(server, bigSource('/big-webmention'));
    assert.equal(status.status, 'rejected');
    assert.match(status.reason ?? '', /took too long/);
  });

  it('none of them was stored, while a small page (read inline, no worker) is accepted by the same server', async () => {
    const small = await pingback(server, linkingSource(source, '/small', POST));
    assert.equal(small.kind, 'value');
    const { comments } = await thread(server);
    assert.deepEqual(comments.map((c) => c.source), [source.url('/small')]);
  });
});

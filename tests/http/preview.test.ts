/**
 * Issue 14, point 4: POST /api/preview renders off the request thread, under the worker time limit,
 * behind its own per-client rate limit (429 with Retry-After, JSON error shape). The latency figures
 * under a flood of previews are in `npm run bench -- --only preview-flood`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { withServer } from '../helpers/fixtures.js';
import { POST } from '../helpers/test-server.js';
import { assertErrorShape } from './http-support.js';

/** 10,000 characters (the body limit) of Markdown and inline HTML, the most a render can be asked. */
function heavyBody(): string {
  const piece = '**bold** _it_ <b onclick="x()">b</b> <a href="javascript:alert(1)">x</a> [link](https://a.example/) `code` ';
  return piece.repeat(Math.floor(10_000 / piece.length));
}

/** Among the slowest Markdown for markdown-it per character: unfinished link destinations. */
const PATHOLOGICAL_MARKDOWN = '[a](<'.repeat(2000);

describe('POST /api/preview', () => {
  it('has its own rate limit per client: 429 with Retry-After and the JSON error shape, comments unaffected', async () => {
    await withServer({ BACKTALK_PREVIEW_RATE_LIMIT: '3' }, async (server) => {
      for (let i = 0; i < 3; i++) {
        const res = await server.postJson('/api/preview', { body: `*hello* ${i}` });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { body_html: `<p><em>hello</em> ${i}</p>` });
      }
      const refused = await server.postJson('/api/preview', { body: '*hello*' });
      assert.ok(Number(refused.headers.get('retry-after')) >= 1, `Retry-After: ${refused.headers.get('retry-after')}`);
      const error = await assertErrorShape(refused, 429);
      assert.equal(error.code, 'rate-limited');
      const comment = await server.postJson('/comments', { target: POST, author: 'Ann', body: 'Still welcome.' });
      assert.equal(comment.status, 201);
    });
  });

  it('renders under the worker time limit: a render over it is refused as too complex', async () => {
    await withServer({ BACKTALK_WORKER_TIMEOUT_MS: '10' }, async (server) => {
      const res = await server.postJson('/api/preview', { body: heavyBody() });
      const error = await assertErrorShape(res, 400, 'body');
      assert.equal(error.code, 'invalid-body');
    });
  });

  it('does not hold up other requests: /healthz answers while heavy previews are still rendering', async () => {
    await withServer({ BACKTALK_PREVIEW_RATE_LIMIT: '0' }, async (server) => {
      const body = PATHOLOGICAL_MARKDOWN;
      await (await server.postJson('/api/preview', { body: 'warm the preview thread' })).text();
      let pending = 8;
      const previews = Array.from({ length: 8 }, () =>
        server.postJson('/api/preview', { body }).then(async (res) => {
          assert.equal(res.status, 200);
          await res.text();
          pending--;
        }));
      // Once one preview is back, the others have arrived and are being rendered one after another.
      await Promise.race(previews);
      const health = await server.request('/healthz');
      assert.equal(health.status, 200);
      const stillRendering = pending;
      await Promise.all(previews);
      // Rendered on the request thread, /healthz would be read after every preview body that arrived
      // before it, so it would answer once all eight were rendered (none left pending). On the preview
      // lane it answers at once; the lane may finish a preview or two while the health request
      // travels on a loaded machine (6 of 8 seen at load ~5), so more than half is the line that
      // still tells the two apart.
      assert.ok(stillRendering >= 4, `previews still rendering when /healthz answered: ${stillRendering} of 8`);
    });
  });
});

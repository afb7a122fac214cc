/**
 * `backtalk admin-token` run beside a live server: the server switches to the new token on its own
 * (it re-reads the stored hash every 5 s), and the old token stops working. No restart.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { startTestServer } from '../helpers/test-server.js';
import { runCli } from './support.js';

test('a token rotated by the CLI replaces the old one in the running server within 5 s', async () => {
  const server = await startTestServer({ BACKTALK_ADMIN_TOKEN: '' });
  after(() => server.close());
  const asAdmin = (token: string) => server.request('/api/admin/counts', { headers: { authorization: `Bearer ${token}` } });

  const rotate = async (): Promise<string> => {
    const rotated = await runCli(['admin-token'], { BACKTALK_DB: server.dbPath });
    assert.equal(rotated.code, 0, rotated.stderr);
    const token = /: (\S+)\n/.exec(rotated.stdout)?.[1];
    assert.ok(token, rotated.stdout);
    return token;
  };
  const wait = () => new Promise((resolve) => setTimeout(resolve, 5200));

  const first = await rotate();
  await wait();
  assert.equal((await asAdmin(first)).status, 200, 'the rotated token works without a restart');
  const second = await rotate();
  await wait();
  assert.equal((await asAdmin(second)).status, 200);
  assert.equal((await asAdmin(first)).status, 401, 'the replaced token no longer works');
});

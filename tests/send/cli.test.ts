/**
 * `npx backtalk send POST_URL` as a real process: it reads the post, sends, prints one line per link
 * with the receiver's answer, and refuses with one clear line when sending is off or the URL is not
 * one of the owner's posts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../cli/support.js';
import { pingbackEndpoint, postPage, startScriptedServer, webmentionEndpoint, type ScriptedServer } from './support.js';

describe('backtalk send', () => {
  let blog: ScriptedServer;
  let other: ScriptedServer;
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-send-cli-'));
  let env: Record<string, string>;

  before(async () => {
    blog = await startScriptedServer();
    other = await startScriptedServer();
    env = { BACKTALK_DB: join(dir, 'b.db'), BACKTALK_SITES: blog.origin, BACKTALK_ALLOW_PRIVATE_FETCH: 'true', BACKTALK_ADMIN_TOKEN: 'cli-send-token-0123456789' };
    other.page('/wm', '<html><head><link rel="webmention" href="/wm/ep"></head></html>');
    webmentionEndpoint(other, '/wm/ep');
    other.page('/pb', '<html><head></head></html>', { 'x-pingback': other.url('/xmlrpc') });
    pingbackEndpoint(other, '/xmlrpc', () => ({ faultCode: 17, faultString: 'no link' }));
    other.page('/none', '<html><body>nothing</body></html>');
    blog.page('/post/', postPage(blog.url('/post/'), [other.url('/wm'), other.url('/pb'), other.url('/none')]));
  });
  after(async () => {
    await blog.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sends and prints each link\'s outcome', async () => {
    const result = await runCli(['send', blog.url('/post/')], env);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, new RegExp(`^sent\\s+webmention\\s+${other.url('/wm')}\\s+HTTP 202`));
    assert.match(lines[1]!, new RegExp(`^failed\\s+pingback\\s+${other.url('/pb')}\\s+fault 17: no link$`));
    assert.match(lines[2]!, new RegExp(`^failed\\s+none\\s+${other.url('/none')}\\s+no endpoint`));
    assert.match(lines[3]!, /3 links; 1 sent, 2 failed, 0 queued for retry\.$/);
    assert.equal(other.to('/wm/ep').length, 1);
  });

  test('one clear line and a non-zero exit when it must not send', async () => {
    const off = await runCli(['send', blog.url('/post/')], { ...env, BACKTALK_SEND: 'off' });
    assert.notEqual(off.code, 0);
    assert.equal(off.stderr, 'backtalk: sending is turned off (BACKTALK_SEND=off)\n');
    const foreign = await runCli(['send', other.url('/wm')], env);
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /^backtalk: .* is not one of the configured sites \(BACKTALK_SITES\)\n$/);
    assert.equal(other.to('/wm/ep').length, 1, 'nothing more was sent');
  });
});

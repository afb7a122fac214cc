/**
 * The real entry point: `npm start` with SMTP configured starts the outbox worker, so a mail leaves
 * without anybody draining anything, and SIGTERM still exits cleanly. Plus the new variables' checks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { startSmtpSink } from './support.js';

describe('notifications in the server process', () => {
  test('a comment posted to the running server reaches the owner by mail on its own', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'backtalk-mailproc-'));
    const smtp = await startSmtpSink();
    const server = await spawnServer({
      BACKTALK_PORT: '0', BACKTALK_SMTP_URL: `smtp://user:pass@127.0.0.1:${smtp.port}`, BACKTALK_NOTIFY_EMAIL: 'owner@blog.example',
    }, cwd);
    try {
      const res = await fetch(`${server.url}/comments`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: `${server.url}/post/`, author: 'Proc', body: 'from another process' }),
      });
      assert.equal(res.status, 201);
      // A guard against a hang, far above the outbox's poll interval; not a delivery-time bound.
      const deadline = Date.now() + 60_000;
      while (smtp.to('owner@blog.example').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [mail] = smtp.to('owner@blog.example');
      assert.ok(mail, `the mail arrived; server said: ${server.stderr()}${server.stdout()}`);
      assert.match(mail.text, /from another process/);
      assert.match(mail.headers.get('from') ?? '', /backtalk@127\.0\.0\.1/, 'default From: uses the public URL host');
      assert.deepEqual(smtp.logins, ['user'], 'logged in with the credentials in BACKTALK_SMTP_URL');
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      await smtp.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('notification configuration', () => {
  test('bad values are reported, each naming its variable', () => {
    assert.throws(
      () => loadConfig({ BACKTALK_SMTP_URL: 'http://mail', BACKTALK_NOTIFY_EMAIL: 'not an address', BACKTALK_WEBHOOK_URL: 'ftp://x', BACKTALK_WEBHOOK_SECRET: '', BACKTALK_MAIL_LANG: 'xx' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join('\n');
        for (const name of ['BACKTALK_MAIL_LANG', 'BACKTALK_SMTP_URL', 'BACKTALK_NOTIFY_EMAIL', 'BACKTALK_WEBHOOK_URL', 'BACKTALK_WEBHOOK_SECRET']) assert.match(text, new RegExp(name));
        return true;
      },
    );
  });

  test('an owner address without a relay is refused rather than silently ignored', () => {
    assert.throws(() => loadConfig({ BACKTALK_NOTIFY_EMAIL: 'me@example.org' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, ['BACKTALK_NOTIFY_EMAIL: needs BACKTALK_SMTP_URL to send through']);
      return true;
    });
  });

  test('good values are kept; nothing is required when mail and webhook are off', () => {
    const off = loadConfig({});
    assert.equal(off.smtpUrl, undefined);
    assert.equal(off.webhookUrl, undefined);
    const on = loadConfig({
      BACKTALK_SMTP_URL: 'smtps://u:p@mail.example:465', BACKTALK_NOTIFY_EMAIL: 'me@example.org', BACKTALK_MAIL_FROM: 'Blog <c@example.org>',
      BACKTALK_WEBHOOK_URL: 'http://10.0.0.5/hook', BACKTALK_WEBHOOK_SECRET: '0123456789abcdef',
    });
    assert.equal(on.smtpUrl, 'smtps://u:p@mail.example:465');
    assert.equal(on.notifyEmail, 'me@example.org');
    assert.equal(on.mailFrom, 'Blog <c@example.org>');
    assert.equal(on.webhookUrl, 'http://10.0.0.5/hook');
  });
});

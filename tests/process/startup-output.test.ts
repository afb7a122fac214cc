/**
 * Issue 17, point 5: the start-up output names the sites served. On a terminal it is readable lines
 * (URL, sites, admin page, the admin token on first start); anywhere else JSON log lines with the same
 * facts, written whatever BACKTALK_LOG_LEVEL says. Either way one line holds "Backtalk serving on URL".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, resolveRuntimeConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { reportStartup } from '../../src/startup-output.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { logLines } from '../helpers/test-server.js';

const config = (env: Record<string, string>) => resolveRuntimeConfig(loadConfig({ BACKTALK_DB: '/srv/backtalk/comments.db', ...env }), 8080);

describe('start-up output on a terminal', () => {
  test('readable lines: the URL first, the sites served, the admin page, the token once', () => {
    let text = '';
    const { sink, lines } = logLines();
    reportStartup(
      { config: config({ BACKTALK_SITES: 'https://blog.example, https://notes.example' }), newAdminToken: 'TOKEN-abc_123', metricsAt: undefined },
      { tty: true, write: (t) => (text += t), logger: createLogger('info', sink) },
    );
    assert.deepEqual(text.split('\n'), [
      'Backtalk serving on http://127.0.0.1:8080 (listening on 127.0.0.1:8080, database /srv/backtalk/comments.db)',
      '  Sites served (BACKTALK_SITES): https://blog.example, https://notes.example',
      '  Admin page: http://127.0.0.1:8080/admin',
      '  Admin token (shown only this once, keep it safe): TOKEN-abc_123 (sign in at http://127.0.0.1:8080/admin)',
      '',
    ]);
    assert.deepEqual(lines, [], 'no JSON on a terminal');
  });

  test('says when the sites are only the default, and shows no token on later starts', () => {
    let text = '';
    reportStartup({ config: config({}), newAdminToken: undefined, metricsAt: undefined }, { tty: true, write: (t) => (text += t), logger: createLogger('silent') });
    assert.match(text, /Sites served \(BACKTALK_SITES\): http:\/\/127\.0\.0\.1:8080 \(the public URL; set BACKTALK_SITES to your blog's origin\)/);
    assert.doesNotMatch(text, /Admin token/);
  });
});

describe('start-up output off a terminal', () => {
  test('a spawned server (stdout is a pipe) writes JSON lines naming the sites, even at log level warn', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'backtalk-startup-'));
    const server = await spawnServer({ BACKTALK_PORT: '0', BACKTALK_SITES: 'https://blog.example', BACKTALK_LOG_LEVEL: 'warn' }, cwd);
    try {
      const lines = server.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const serving = lines.find((l) => String(l.msg).startsWith('Backtalk serving on '));
      assert.ok(serving, server.stdout());
      assert.equal(serving.url, server.url);
      assert.deepEqual(serving.sites, ['https://blog.example']);
      assert.equal(serving.sites_configured, true);
      assert.equal(serving.component, 'startup');
      const token = lines.find((l) => String(l.msg).startsWith('Admin token'));
      assert.match(String(token?.msg), /: [\w-]{43} \(sign in at /, 'the token on first start');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

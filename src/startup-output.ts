/**
 * What `npm start` says when it is up. On a terminal, readable lines: the URL, the sites served (the
 * setting named, since a page outside them gets no comments), the admin page, and the admin token on
 * first start. Anywhere else (a service manager, a container log), the same facts as JSON log lines,
 * written whatever BACKTALK_LOG_LEVEL says, since they are the answer to "is it up, and where?".
 * Either way one line holds "Backtalk serving on URL " (contract: one line with the URL).
 */
import type { RuntimeConfig } from './config.js';
import type { Logger } from './lib/logger.js';
import { describeDb } from './store/open-store.js';

export interface StartupFacts {
  config: RuntimeConfig;
  /** Set on the first start only, when the token was generated: shown this once. */
  newAdminToken: string | undefined;
  metricsAt: string | undefined;
}

export function reportStartup(facts: StartupFacts, out: { tty: boolean; write(text: string): void; logger: Logger }): void {
  const { config } = facts;
  const serving = `Backtalk serving on ${config.publicUrl} (listening on ${config.host}:${config.port}, database ${describeDb(config.dbPath)})`;
  const sitesNote = config.sites.join(', ') + (config.sitesFromEnv ? '' : ' (the public URL; set BACKTALK_SITES to your blog\'s origin)');
  // Each URL and the token are followed by a space, so `(\S+)` after them reads the same in both forms.
  const token = facts.newAdminToken && `Admin token (shown only this once, keep it safe): ${facts.newAdminToken} (sign in at ${config.publicUrl}/admin)`;
  const metrics = facts.metricsAt && `Metrics on http://${facts.metricsAt}/metrics (no admin token there: keep that port private)`;
  if (out.tty) {
    const lines = [serving, `  Sites served (BACKTALK_SITES): ${sitesNote}`, `  Admin page: ${config.publicUrl}/admin`];
    if (metrics) lines.push(`  ${metrics}`);
    if (token) lines.push(`  ${token}`);
    out.write(lines.join('\n') + '\n');
    return;
  }
  const log = out.logger.child({ component: 'startup' }, { level: 'info' });
  // The serving line last: whoever waits for it (a supervisor, a test) has read the others by then.
  if (metrics) log.info({ metrics: `http://${facts.metricsAt}/metrics` }, metrics);
  if (token) log.info(token);
  log.info({ url: config.publicUrl, listen: `${config.host}:${config.port}`, database: describeDb(config.dbPath), sites: config.sites, sites_configured: config.sitesFromEnv, admin: `${config.publicUrl}/admin` }, serving);
}

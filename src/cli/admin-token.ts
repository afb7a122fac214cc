import type { Command } from 'commander';
import { newToken, sha256Hex } from '../lib/tokens.js';
import { action, CliError, cliConfig, withStore } from './command.js';

export function register(program: Command): void {
  program
    .command('admin-token')
    .description('rotate the admin token: a new one is printed once and only its hash is stored')
    .addHelpText('after', '\nA running server picks the new token up within 5 seconds; the old one stops working then.')
    .action(action(async () => {
      const config = cliConfig();
      if (config.adminToken) {
        throw new CliError('BACKTALK_ADMIN_TOKEN is set and always wins over a stored token; change that variable instead');
      }
      const token = newToken();
      await withStore(config, (store) => store.settings.set('admin_token_hash', sha256Hex(token)));
      process.stdout.write(`New admin token (shown only this once, keep it safe): ${token}\nA running server switches to it within 5 seconds.\n`);
    }));
}

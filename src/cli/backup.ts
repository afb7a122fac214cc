import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeDb } from '../store/open-store.js';
import { action, CliError, cliConfig, withStore } from './command.js';
import { cliLocale, say } from './messages.js';

export function register(program: Command): void {
  program
    .command('backup')
    .description('copy the database consistently while the server keeps running (SQLite online backup)')
    .argument('<file>', 'where to write the copy (an existing file is replaced)')
    .addHelpText('after', '\nRestore: stop the server, copy the backup over BACKTALK_DB, delete BACKTALK_DB-wal and -shm, start it.')
    .action(action(async (file: string) => {
      const config = cliConfig();
      if (resolve(file) === resolve(config.dbPath)) throw new CliError('the backup file cannot be the database itself');
      await withStore(config, (store) => store.backup(file));
      process.stdout.write(`${say(cliLocale(), 'backedUp', { db: describeDb(config.dbPath), file })}\n`);
    }));
}

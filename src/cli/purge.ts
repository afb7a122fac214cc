import { type Command, InvalidArgumentError } from 'commander';
import { action, cliConfig, withStore } from './command.js';

const DAY_MS = 86_400_000;

function days(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of days.');
  return Number(value);
}

export function register(program: Command): void {
  program
    .command('purge')
    .description('delete spam and trashed comments older than a number of days')
    .requiredOption('--older-than <days>', 'only comments created more than this many days ago', days)
    .action(action(async (opts: { olderThan: number }) => {
      const config = cliConfig();
      const before = new Date(Date.now() - opts.olderThan * DAY_MS);
      const n = await withStore(config, (store) => store.transfer.purge(['spam', 'trash'], before));
      process.stdout.write(`Purged ${n} spam and trashed comments older than ${opts.olderThan} days.\n`);
    }));
}

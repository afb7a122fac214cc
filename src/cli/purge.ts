import { type Command, InvalidArgumentError } from 'commander';
import { action, cliConfig, withStore } from './command.js';
import { confirmChange, printDryRun, type ChangeOptions } from './confirm.js';
import { cliLocale, count, say } from './messages.js';

const DAY_MS = 86_400_000;
const PURGED = ['spam', 'trash'] as const;

function days(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of days.');
  return Number(value);
}

export function register(program: Command): void {
  program
    .command('purge')
    .description('delete spam and trashed comments older than a number of days (asks first on a terminal)')
    .requiredOption('--older-than <days>', 'only comments created more than this many days ago', days)
    .option('-y, --yes', 'do not ask: needed when standard input is not a terminal (cron)')
    .option('--dry-run', 'show how many comments would be deleted, and delete nothing')
    .action(action(async (opts: { olderThan: number } & ChangeOptions) => {
      const config = cliConfig();
      const t = cliLocale();
      const before = new Date(Date.now() - opts.olderThan * DAY_MS);
      const sentence = (n: number, key: 'purgePlan' | 'purged') =>
        say(t, key, { comments: count(t, 'comments', n), days: count(t, 'days', opts.olderThan) });
      await withStore(config, async (store) => {
        const planned = await store.transfer.purge(PURGED, before, { dryRun: true });
        if (opts.dryRun) return printDryRun(t, sentence(planned, 'purgePlan'));
        await confirmChange(t, sentence(planned, 'purgePlan'), { ...opts, changes: planned > 0 });
        const n = await store.transfer.purge(PURGED, before);
        process.stdout.write(`${sentence(n, 'purged')}\n`);
      });
    }));
}

import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { ERASE_MODES, personalDataJson } from '../export/personal-data.js';
import type { EraseMode, EraseResult } from '../store/repository.js';
import { action, CliError, cliConfig, withStore } from './command.js';
import { confirmChange, printDryRun, type ChangeOptions } from './confirm.js';
import { cliLocale, count, say } from './messages.js';

function email(value: string): string {
  const trimmed = value.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) throw new CliError(`"${value}" is not an e-mail address`);
  return trimmed;
}

export function register(program: Command): void {
  const pd = program
    .command('personal-data')
    .description('export or erase everything stored about one e-mail address (GDPR requests)');
  pd
    .command('export')
    .description('everything stored about the address, as JSON')
    .argument('<email>', 'the address, compared case-insensitively')
    .argument('[file]', 'where to write it (default: standard output)')
    .action(action(async (address: string, file: string | undefined) => {
      const config = cliConfig();
      const data = await withStore(config, (store) => store.transfer.personalData(email(address)));
      const text = `${JSON.stringify(personalDataJson(data), null, 2)}\n`;
      if (file === undefined) process.stdout.write(text);
      else {
        await writeFile(file, text);
        const t = cliLocale();
        process.stdout.write(`${say(t, 'wrote', { comments: count(t, 'comments', data.comments.length), subscriptions: count(t, 'subscriptions', data.subscriptions.length), file })}\n`);
      }
    }));
  pd
    .command('erase')
    .description("erase the address: its comments made anonymous or removed, its reply subscriptions deleted (asks first on a terminal)")
    .argument('<email>', 'the address, compared case-insensitively')
    .addOption(new Option('--mode <mode>', 'anonymize: keep the comments as "Anonymous" without e-mail, URL and IP; remove: delete them (those with replies stay as blank placeholders)')
      .choices(ERASE_MODES).makeOptionMandatory())
    .option('-y, --yes', 'do not ask: needed when standard input is not a terminal')
    .option('--dry-run', 'show what would be anonymized, removed and deleted, and change nothing')
    .action(action(async (address: string, opts: { mode: EraseMode } & ChangeOptions) => {
      const config = cliConfig();
      const t = cliLocale();
      const who = email(address);
      const sentence = (r: EraseResult, done: boolean) => say(t, opts.mode === 'anonymize' ? (done ? 'anonymized' : 'anonymizePlan') : (done ? 'removed' : 'removePlan'), {
        comments: count(t, 'comments', r.comments), email: who, subscriptions: count(t, 'subscriptions', r.subscriptions),
        placeholders: count(t, 'placeholders', r.placeholders),
      });
      await withStore(config, async (store) => {
        // The erase itself, rolled back: exact counts, placeholders included.
        const planned = await store.transfer.erasePersonalData(who, opts.mode, { dryRun: true });
        if (opts.dryRun) return printDryRun(t, sentence(planned, false));
        const changes = planned.comments + planned.placeholders + planned.subscriptions > 0;
        await confirmChange(t, sentence(planned, false), { ...opts, changes });
        const result = await store.transfer.erasePersonalData(who, opts.mode);
        process.stdout.write(`${sentence(result, true)}\n`);
      });
    }));
}

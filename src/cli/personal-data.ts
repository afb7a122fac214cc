import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { ERASE_MODES, personalDataJson } from '../export/personal-data.js';
import type { EraseMode } from '../store/repository.js';
import { action, CliError, cliConfig, withStore } from './command.js';

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
        process.stdout.write(`Wrote ${data.comments.length} comments and ${data.subscriptions.length} subscriptions to ${file}.\n`);
      }
    }));
  pd
    .command('erase')
    .description("erase the address: its comments made anonymous or removed, its reply subscriptions deleted")
    .argument('<email>', 'the address, compared case-insensitively')
    .addOption(new Option('--mode <mode>', 'anonymize: keep the comments as "Anonymous" without e-mail, URL and IP; remove: delete them (those with replies stay as blank placeholders)')
      .choices(ERASE_MODES).makeOptionMandatory())
    .action(action(async (address: string, opts: { mode: EraseMode }) => {
      const config = cliConfig();
      const result = await withStore(config, (store) => store.transfer.erasePersonalData(email(address), opts.mode));
      const what = opts.mode === 'anonymize'
        ? `Anonymized ${result.comments} comments`
        : `Removed ${result.comments} comments (${result.placeholders} kept as placeholders for their replies)`;
      process.stdout.write(`${what}; deleted ${result.subscriptions} subscriptions.\n`);
    }));
}

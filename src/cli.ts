#!/usr/bin/env node
/**
 * `backtalk <command>`: the site owner's tools. Each command lives in src/cli/<name>.ts and exports
 * `register(program)`; adding one is adding its name to COMMANDS.
 */
import { Command } from 'commander';
import type { RegisterCommand } from './cli/command.js';

const COMMANDS = ['serve', 'import', 'export', 'backup', 'admin-token', 'purge', 'personal-data', 'migrate', 'send'];

async function main(): Promise<void> {
  const program = new Command('backtalk')
    .description('Backtalk: self-hosted comments, TrackBack, Pingback and Webmention for blogs.\nEvery command reads the same BACKTALK_* variables as the server (BACKTALK_DB above all).')
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });
  for (const name of COMMANDS) {
    const module = (await import(`./cli/${name}.js`)) as { register: RegisterCommand };
    module.register(program);
  }
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  process.stderr.write(`backtalk: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

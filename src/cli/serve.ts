import type { Command } from 'commander';
import { runServer } from '../server.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the comment server (the same as npm start), configured by the BACKTALK_* variables')
    .action(async () => {
      await runServer(process.env);
    });
}

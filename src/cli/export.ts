import type { Command } from 'commander';
import { exportJson } from '../export/json-export.js';
import { exportWxr } from '../export/wxr-export.js';
import { action, cliConfig, progress, withStore } from './command.js';

export function register(program: Command): void {
  const exp = program
    .command('export')
    .description('write every thread and comment to a file (json: everything, losslessly; wxr: for WordPress)');
  exp
    .command('json')
    .description('everything, losslessly, as Backtalk JSON (import it again with `backtalk import json`)')
    .argument('<file>', 'where to write it (written to FILE.partial, renamed when complete)')
    .action(action(async (file: string) => {
      const config = cliConfig();
      const counts = await withStore(config, async (store) => {
        const bar = progress('export json', 'records');
        const total = await store.transfer.counts();
        let done = 0;
        try {
          return await exportJson(store, file, () => bar.update(++done, total.threads + total.comments));
        } finally {
          bar.stop();
        }
      });
      process.stdout.write(`Exported ${counts.threads} threads and ${counts.comments} comments to ${file}.\n`);
    }));
  exp
    .command('wxr')
    .description('WordPress eXtended RSS 1.2, for WordPress Tools → Import (one item per thread with comments)')
    .argument('<file>', 'where to write it (written to FILE.partial, renamed when complete)')
    .action(action(async (file: string) => {
      const config = cliConfig();
      const counts = await withStore(config, async (store) => {
        const bar = progress('export wxr', 'records');
        const total = await store.transfer.counts();
        let done = 0;
        try {
          return await exportWxr(store, file, config.sites[0]!, () => bar.update(++done, total.comments));
        } finally {
          bar.stop();
        }
      });
      process.stdout.write(`Exported ${counts.comments} comments of ${counts.threads} threads to ${file}.\n`);
    }));
}

import type { Command } from 'commander';
import { exportJson } from '../export/json-export.js';
import { exportWxr } from '../export/wxr-export.js';
import type { Store } from '../store/repository.js';
import { action, cliConfig, progress, withStore } from './command.js';
import { cliLocale, count, say } from './messages.js';

type Written = { threads: number; comments: number };

/** Opens the store, runs one exporter with a progress bar over `total` records, and closes it again. */
async function runExport(
  config: ReturnType<typeof cliConfig>,
  label: string,
  total: (counts: Written) => number,
  write: (store: Store, onRecord: () => void) => Promise<Written>,
): Promise<Written> {
  return withStore(config, async (store) => {
    const bar = progress(label, 'records');
    const counts = await store.transfer.counts();
    let done = 0;
    try {
      return await write(store, () => bar.update(++done, total(counts)));
    } finally {
      bar.stop();
    }
  });
}

export function register(program: Command): void {
  const exp = program
    .command('export')
    .description('write every thread and comment to a file (json: everything, losslessly; wxr: for WordPress)');
  exp
    .command('json')
    .description('everything, losslessly, as Backtalk JSON (import it again with `backtalk import json`)')
    .argument('<file>', 'where to write it (written to FILE.partial, renamed when complete)')
    .action(action(async (file: string) => {
      const counts = await runExport(cliConfig(), 'export json', (t) => t.threads + t.comments, (store, onRecord) => exportJson(store, file, onRecord));
      process.stdout.write(`${exported(counts, file)}\n`);
    }));
  exp
    .command('wxr')
    .description('WordPress eXtended RSS 1.2, for WordPress Tools → Import (one item per thread with comments)')
    .argument('<file>', 'where to write it (written to FILE.partial, renamed when complete)')
    .action(action(async (file: string) => {
      const config = cliConfig();
      const site = config.sites[0]!;
      const counts = await runExport(config, 'export wxr', (t) => t.comments, (store, onRecord) => exportWxr(store, file, { site, timeZone: config.timeZone }, onRecord));
      process.stdout.write(`${exported(counts, file)}\n`);
    }));
}

/** "Exported 5 comments of 2 threads to FILE.", plural forms and language from the locale. */
function exported(counts: { threads: number; comments: number }, file: string): string {
  const t = cliLocale();
  return say(t, 'exported', { comments: count(t, 'comments', counts.comments), threads: count(t, 'threads', counts.threads), file });
}

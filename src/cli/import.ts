import { type Command, Option } from 'commander';
import { originOf } from '../lib/url.js';
import { IMPORT_FORMATS, importFile, type ImportFormat } from '../import/run-import.js';
import { action, CliError, cliConfig, progress, withStore } from './command.js';
import { confirmChange, printDryRun, type ChangeOptions } from './confirm.js';
import { cliLocale, count, say } from './messages.js';

export function register(program: Command): void {
  program
    .command('import')
    .description('import comments and linkbacks from another system; re-importing the same file adds nothing twice')
    .addArgument(program.createArgument('<format>', 'wxr (WordPress), disqus (Disqus XML), isso (Isso SQLite database) or json (Backtalk export)').choices(IMPORT_FORMATS))
    .argument('<file>', 'the export file (for isso: the database file, opened read-only)')
    .addOption(new Option('--site <origin>', "origin Isso's thread paths are resolved against (default: the first of BACKTALK_SITES)"))
    .addOption(new Option('--map-origin <from=to>', 'import posts of origin FROM as posts of TO, one of BACKTALK_SITES (a blog that moved; repeatable)')
      .argParser((value: string, earlier: string[] = []) => [...earlier, value]))
    .option('-y, --yes', 'do not ask before importing into a database that already holds comments (needed off a terminal)')
    .option('--dry-run', 'read the whole file and show what would be imported, keeping nothing')
    .addHelpText('after', '\nThe whole file is imported in one transaction: on any error nothing is kept.\nNo spam checks and no notifications run; statuses are taken from the file.')
    .action(action(async (format: ImportFormat, file: string, opts: { site?: string; mapOrigin?: string[] } & ChangeOptions) => {
      const config = cliConfig();
      const t = cliLocale();
      let site = config.sites[0]!;
      if (opts.site !== undefined) {
        const origin = originOf(opts.site);
        if (!origin) throw new CliError(`--site: "${opts.site}" is not an absolute http(s) origin`);
        site = origin;
      }
      const originMap = readOriginMap(opts.mapOrigin ?? [], config.sites);
      await withStore(config, async (store) => {
        // Adding to a live database is what deserves a question; a fresh one has nothing to lose.
        if (!opts.dryRun) {
          const held = await store.transfer.counts();
          if (held.comments > 0) {
            const plan = say(t, 'importPlan', { comments: count(t, 'comments', held.comments), threads: count(t, 'threads', held.threads), file });
            await confirmChange(t, plan, opts);
          }
        }
        const bar = progress(`import ${format}`, format === 'isso' ? 'records' : 'bytes');
        const counts = await importFile(store, {
          format, file, site, keepIp: config.keepIp, sites: config.sites, originMap, dryRun: opts.dryRun,
          timeZone: config.timeZone, onProgress: (done, total) => bar.update(done, total),
        }).finally(() => bar.stop());
        const values = { comments: count(t, 'comments', counts.comments), newThreads: count(t, 'newThreads', counts.threads) };
        const skipped = counts.skipped > 0 ? ` ${count(t, 'alreadyThere', counts.skipped)}` : '';
        if (opts.dryRun) printDryRun(t, say(t, 'importDryRun', values) + skipped);
        else process.stdout.write(`${say(t, 'imported', values)}${skipped}\n`);
      });
    }));
}

/** `--map-origin FROM=TO` values as origin → origin; TO must be one of the configured sites. */
function readOriginMap(values: readonly string[], sites: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const [from, to, extra] = value.split('=');
    const fromOrigin = from === undefined ? undefined : originOf(from);
    const toOrigin = to === undefined ? undefined : originOf(to);
    if (!fromOrigin || !toOrigin || extra !== undefined) throw new CliError(`--map-origin: expected FROM=TO, two http(s) origins, got "${value}"`);
    if (!sites.includes(toOrigin)) throw new CliError(`--map-origin: ${toOrigin} is not one of BACKTALK_SITES (${sites.join(', ')})`);
    map.set(fromOrigin, toOrigin);
  }
  return map;
}

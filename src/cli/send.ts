/**
 * `backtalk send POST_URL`: reads the post now, sends a linkback for each of its links (the same
 * queue and rules as the server), and prints what each receiver answered. Sends that failed for a
 * transient reason stay queued with their back-off; a running server retries them.
 */
import type { Command } from 'commander';
import { AppError } from '../domain/errors.js';
import { systemClock } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { createSender } from '../wiring.js';
import { action, CliError, cliConfig, withStore } from './command.js';
import { cliLocale, count, say } from './messages.js';

export function register(program: Command): void {
  program
    .command('send')
    .description('send TrackBacks, Pingbacks and Webmentions for the links of one of your posts')
    .argument('<post-url>', 'the post, on one of BACKTALK_SITES')
    .addHelpText('after', '\nNothing is sent with BACKTALK_SEND=off. Pingback and TrackBack go once per link; Webmention again when the post changed.')
    .action(action(async (postUrl: string) => {
      const config = cliConfig();
      const t = cliLocale();
      if (!config.sendEnabled) throw new CliError('sending is turned off (BACKTALK_SEND=off)');
      await withStore(config, async (store) => {
        const sender = createSender(config, store, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), systemClock);
        let post;
        try {
          post = await sender.request(postUrl);
        } catch (err) {
          if (err instanceof AppError) throw new CliError(err.message);
          throw err;
        }
        await sender.drain();
        const read = await store.sends.findPost(post.id);
        if (read?.status === 'failed') throw new CliError(`could not read ${post.source}: ${read.lastError ?? 'unknown error'}`);
        if (read?.status === 'pending') process.stdout.write(`${say(t, 'sendNotRead', { source: post.source, reason: read.lastError ?? 'waiting' })}\n`);
        const status = (await sender.status(post.id))!;
        const counts = { sent: 0, failed: 0, queued: 0 };
        for (const link of status.links) {
          counts[link.state as keyof typeof counts] += 1;
          process.stdout.write(`${link.state.padEnd(6)} ${link.protocol.padEnd(10)} ${link.target}${link.response ? `  ${link.response}` : ''}\n`);
        }
        process.stdout.write(`${say(t, 'sendSummary', { source: post.source, links: count(t, 'links', status.links.length), ...counts })}\n`);
      });
    }));
}

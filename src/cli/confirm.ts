/**
 * Commands that change or delete data (purge, personal-data erase, an import into a database that
 * already holds comments) say what they would do and ask before doing it, the way apt and rm -i do:
 * on a terminal a question; off one (cron, a pipe, CI) nobody can answer, so they refuse unless
 * `--yes` was given; `--dry-run` shows the change and makes none.
 */
import { createInterface } from 'node:readline';
import type { Strings } from '../i18n/index.js';
import { CliError } from './command.js';

/** What a changing command reads from its options. */
export interface ChangeOptions {
  yes?: boolean;
  dryRun?: boolean;
}

/** The streams the question is asked on; a test may hand in its own. */
export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** stderr by default, so stdout carries only the command's result. */
  output: NodeJS.WritableStream;
}

/** Reads one line; end of input counts as an empty answer (no). */
function ask(io: PromptIo, question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.input, output: io.output, terminal: false });
    let answered = false;
    io.output.write(question);
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

/**
 * Goes ahead (returns) when the change is confirmed: by `--yes`, or by the operator's answer on a
 * terminal. Throws a CliError (exit code 1, nothing changed) when the answer is no, or when there
 * is no terminal to ask on and no `--yes`. `plan` is the sentence saying what would change;
 * `changes` false (nothing to do) skips the question on a terminal. Off a terminal the refusal does
 * not depend on it, so a cron job without --yes fails on its first night, not on the first night
 * that happens to have work.
 */
export async function confirmChange(t: Strings, plan: string, opts: ChangeOptions & { changes?: boolean },
  io: PromptIo = { input: process.stdin, output: process.stderr }): Promise<void> {
  if (opts.yes) return;
  if (!io.input.isTTY) throw new CliError(t.cli.needsYes);
  if (opts.changes === false) return;
  const answer = (await ask(io, `${plan}\n${t.cli.confirm}`)).trim().toLowerCase();
  const yes = t.cli.yes.split(',').map((w) => w.trim().toLowerCase());
  if (!yes.includes(answer)) throw new CliError(t.cli.cancelled);
}

/** For `--dry-run`: the plan, then the note that nothing changed. */
export function printDryRun(t: Strings, plan: string): void {
  process.stdout.write(`${plan}\n${t.cli.dryRun}\n`);
}

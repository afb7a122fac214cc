/**
 * What every CLI command shares: the registration shape, configuration from the same BACKTALK_*
 * variables as the server, the store, errors as one line, and a progress bar on terminals only.
 */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, loadConfig, resolveRuntimeConfig, type RuntimeConfig } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/repository.js';

/** A command module exports `register`; cli.ts lists the module names. */
export type RegisterCommand = (program: Command) => void;

/** An expected failure, reported as its message alone. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** The configuration the server would use; the port is not listened on, so the default public URL uses the configured one. */
export function cliConfig(env: Record<string, string | undefined> = process.env): RuntimeConfig {
  const config = loadConfig(env);
  return resolveRuntimeConfig(config, config.port);
}

/** Opens the store of BACKTALK_DB for the length of `work`, closing it (checkpointed) afterwards. */
export async function withStore<T>(config: RuntimeConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.dbPath); // SQLite file or postgres:// URL
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** One line for any error: no stack traces for the operator, just what went wrong. */
export function errorLine(err: unknown): { line: string; exitCode: number } {
  if (err instanceof ConfigError) return { line: `invalid configuration: ${err.problems.join('; ')}`, exitCode: 2 };
  if (err instanceof CliError) return { line: err.message, exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { line: message.replace(/\s*\n\s*/g, ' '), exitCode: 1 };
}

/** Wraps a command's action so any failure ends the process with one line on stderr and a non-zero exit. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (err) {
      const { line, exitCode } = errorLine(err);
      process.stderr.write(`backtalk: ${line}\n`);
      process.exitCode = exitCode;
    }
  };
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (cron, pipes, CI logs). */
export function progress(label: string, unit: 'bytes' | 'records'): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const format = unit === 'bytes'
    ? `${label} [{bar}] {percentage}% | {doneMb} of {totalMb} MB | ETA {eta_formatted}`
    : `${label} [{bar}] {percentage}% | {value} of {total} | ETA {eta_formatted}`;
  const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  let started = false;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return {
    update(done, total) {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { doneMb: '0.0', totalMb: mb(total) });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(done, total), { doneMb: mb(done), totalMb: mb(total) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

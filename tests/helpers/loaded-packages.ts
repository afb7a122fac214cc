/**
 * Loaded into a spawned server with --import (tests/process/startup-modules.test.ts): on SIGUSR2 it
 * writes one stderr line, `LOADED ` and the JSON list of the files of node_modules loaded so far.
 */
import Module from 'node:module';

process.on('SIGUSR2', () => {
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  const files = Object.keys(cache).filter((file) => file.includes('/node_modules/')).map((file) => file.slice(file.lastIndexOf('/node_modules/') + 14));
  process.stderr.write(`LOADED ${JSON.stringify(files)}\n`);
});

/**
 * Streaming writes with back-pressure to `FILE.partial`, renamed to FILE only when complete: a
 * failed or interrupted export never leaves a file that looks whole.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';

export interface FileWriter {
  write(text: string): Promise<void>;
  /** Flushes, closes and moves the file into place. */
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export function openFileWriter(file: string): FileWriter {
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (err) => (failure ??= err));
  return {
    async write(text) {
      if (failure) throw failure;
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw failure;
    },
    async finish() {
      stream.end();
      await once(stream, 'close');
      if (failure) throw failure;
      await rename(partial, file);
    },
    async abort() {
      stream.destroy();
      await rm(partial, { force: true });
    },
  };
}

/** Runs `produce` against a writer, finishing it on success and removing the partial file on failure. */
export async function writeFileStreaming(file: string, produce: (w: FileWriter) => Promise<void>): Promise<void> {
  const writer = openFileWriter(file);
  try {
    await produce(writer);
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

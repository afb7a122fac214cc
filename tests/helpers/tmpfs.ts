/**
 * A small tmpfs to fill up, for the full-disk tests (SQLite and PostgreSQL). Mounting needs root;
 * callers skip with one line when it is refused.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Mounts a tmpfs of `size` (e.g. "4m") on `dir`; false when mounting is refused. */
export function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Writes `file` until the file system says ENOSPC: large chunks first, then single bytes, so not even one page is left free. */
export function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1024 * 1024, 8192, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

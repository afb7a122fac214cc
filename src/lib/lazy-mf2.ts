/**
 * microformats-parser (with parse5 under it), loaded on the first page it parses rather than at
 * start-up: a server that never receives or sends a linkback never pays its resident memory
 * (docs/benchmarks.md, RSS after load). The package ships CommonJS, so it loads synchronously here.
 */
import { createRequire } from 'node:module';
import type { mf2 as Mf2 } from 'microformats-parser';

let loaded: typeof Mf2 | undefined;

export const mf2: typeof Mf2 = (html, options) => {
  loaded ??= (createRequire(import.meta.url)('microformats-parser') as { mf2: typeof Mf2 }).mf2;
  return loaded(html, options);
};

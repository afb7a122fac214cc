/** Accept-Encoding negotiation (RFC 9110 §12.5.3) for the compressed public reads (issue 15.4). */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { negotiateCoding } from '../../src/http/content-coding.js';

test('picks br or gzip by q-value, br on a tie, identity when nothing compressed is acceptable', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip;q=1.0, br;q=0.999', 'gzip'],
    ['br;q=0, gzip;q=0.001', 'gzip'],
    ['br;q=0.000, gzip;q=0', 'identity'],
    ['br; q=0.8 , gzip ; q=0.8', 'br'],
    ['br;q=2', 'identity'], // not a q-value: not acceptable
    ['br;q=abc, gzip;q=0.1', 'gzip'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['*;q=0.3, gzip;q=0.5', 'gzip'],
    ['identity;q=1, br;q=0.9', 'identity'],
    ['identity;q=0.5, br', 'br'],
    ['deflate, compress', 'identity'],
    [',,;q=1, br', 'br'],
  ];
  for (const [header, expected] of cases) assert.equal(negotiateCoding(header), expected, `Accept-Encoding: ${header}`);
  // Memoized answers are the same answers.
  for (const [header, expected] of cases) assert.equal(negotiateCoding(header), expected, `again: ${header}`);
});

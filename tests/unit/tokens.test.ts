/** Tokens drawn from a pooled block of random bytes (lib/tokens.ts): every one fresh, full length. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesHash, newToken, sha256Hex } from '../../src/lib/tokens.js';

test('newToken: 256 bits as 43 base64url characters, never the same bytes twice across pool refills', () => {
  const tokens = Array.from({ length: 5000 }, () => newToken());
  for (const token of tokens) {
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
  }
  assert.equal(new Set(tokens).size, tokens.length);
  // No 8-byte window repeats either: a pool handed out twice, or out of step, would show here.
  const windows = new Set(tokens.map((t) => Buffer.from(t, 'base64url').subarray(0, 8).toString('hex')));
  assert.equal(windows.size, tokens.length);
});

test('sha256Hex and matchesHash', () => {
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex('Привет'), 'dd679c0b9fd408a04148aa7d30c9df393f67b7227f65693fffe0ed6d0f0ade59', 'UTF-8');
  const token = newToken();
  assert.equal(matchesHash(token, sha256Hex(token)), true);
  assert.equal(matchesHash(`${token}x`, sha256Hex(token)), false);
});

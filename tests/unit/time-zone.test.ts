/**
 * isTimeZone answers UTC and canonical zone names from Intl.supportedValuesOf (no DateTimeFormat made,
 * issue 15: memory) and everything else through a DateTimeFormat, as before: the two paths must give
 * the same answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTimeZone } from '../../src/lib/time-zone.js';

test('isTimeZone accepts UTC, canonical names, aliases and other spellings Intl accepts, and refuses the rest', () => {
  for (const name of ['UTC', 'Europe/Moscow', 'Asia/Novosibirsk', 'America/Argentina/Buenos_Aires', 'Etc/UTC', 'GMT', 'utc', 'US/Eastern', 'Asia/Calcutta', 'europe/moscow']) {
    assert.equal(isTimeZone(name), true, name);
  }
  for (const name of ['UTC+7', '+03:00', 'Europe/Nowhere', '', 'Moscow']) {
    assert.equal(isTimeZone(name), false, name);
  }
});

test('every name Intl lists as a time zone is one a DateTimeFormat accepts', () => {
  for (const name of Intl.supportedValuesOf('timeZone')) {
    assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: name }), name);
  }
});

/**
 * The blocked-words list held in memory (issue 15.3): no settings read per spam check, a save applies
 * at once where it was made, and on another instance sharing the database within the staleness bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BLOCKED_WORDS_MAX_AGE_MS, createBlockedWords } from '../../src/moderation/blocked-words.js';
import type { SettingsRepository, Store } from '../../src/store/repository.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** The store's settings, counting the reads of the blocked-words row. */
function counting(settings: SettingsRepository) {
  const counted = { reads: 0 };
  const repo: SettingsRepository = {
    get: (key) => {
      counted.reads += 1;
      return settings.get(key);
    },
    set: (key, value) => settings.set(key, value),
    setIfAbsent: (key, value) => settings.setIfAbsent(key, value),
  };
  return { repo, counted };
}

describe('blocked words held in memory', () => {
  let dir: string;
  let store: Store;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'backtalk-blocked-'));
    store = openSqliteStore(join(dir, 'blocked.db'));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('many checks within the bound cost one settings read, and the list is not copied for each', async () => {
    const { repo, counted } = counting(store.settings);
    let clock = 0;
    const words = createBlockedWords(repo, ['Casino'], { now: () => clock });
    const lists = await Promise.all(Array.from({ length: 50 }, () => words.current()));
    assert.equal(counted.reads, 1, 'concurrent checks share one read');
    for (let i = 0; i < 50; i++) lists.push(await words.current());
    assert.equal(counted.reads, 1);
    assert.deepEqual(lists[0], { words: ['casino'], source: 'config' });
    assert.ok(lists.every((l) => l === lists[0]), 'the same frozen list every time');
    assert.ok(Object.isFrozen(lists[0]!.words));
    clock += BLOCKED_WORDS_MAX_AGE_MS;
    await words.current();
    assert.equal(counted.reads, 2, 'read again once the bound has passed');
  });

  test('a save applies at once here, and on another instance within the bound', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const here = createBlockedWords(store.settings, ['alpha'], { now });
    const there = createBlockedWords(store.settings, ['alpha'], { now });
    await store.settings.set('blocked_words', '["alpha"]');
    assert.deepEqual((await there.current()).words, ['alpha']);

    const saved = await here.replace(['Beta ', 'gamma']);
    assert.deepEqual(saved, { words: ['beta', 'gamma'], source: 'settings' });
    assert.deepEqual(await here.current(), saved, 'where it was saved: the next check');
    assert.deepEqual((await there.current()).words, ['alpha'], 'elsewhere: still the list it read, inside the bound');
    clock += BLOCKED_WORDS_MAX_AGE_MS - 1;
    assert.deepEqual((await there.current()).words, ['alpha']);
    clock += 1;
    assert.deepEqual((await there.current()).words, ['beta', 'gamma'], 'elsewhere: once the bound has passed');
  });

  test('a read that began before a save cannot bring the old list back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await store.settings.set('blocked_words', '["old"]');
    const slow: SettingsRepository = {
      get: async (key) => {
        const value = await store.settings.get(key);
        await gate;
        return value;
      },
      set: (key, value) => store.settings.set(key, value),
      setIfAbsent: (key, value) => store.settings.setIfAbsent(key, value),
    };
    const words = createBlockedWords(slow, [], { now: () => 0 });
    const pending = words.current();
    await words.replace(['new']);
    release();
    assert.deepEqual((await pending).words, ['new']);
    assert.deepEqual((await words.current()).words, ['new']);
  });
});

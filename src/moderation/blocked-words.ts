/**
 * The blocked-words list, editable from the moderation page without a restart. The owner's list lives
 * in the settings table; until one has been saved, BACKTALK_BLOCKED_WORDS applies (and seeds the
 * editor). Once saved, the stored list wins over the environment.
 *
 * The list is held in memory and read again from the settings table at most every
 * BLOCKED_WORDS_MAX_AGE_MS: a save through this process applies to the next submission, a save on
 * another instance sharing the database within that bound. (A version check folded into a statement
 * every comment runs anyway would make it exact, but would tie the thread lookup to a setting; two
 * seconds of a list being stale on other instances is what an owner editing it can notice least.)
 */
import { ValidationError, msg } from '../domain/errors.js';
import type { SettingsRepository } from '../store/repository.js';

export const BLOCKED_WORDS_SETTING = 'blocked_words';
export const MAX_BLOCKED_WORDS = 2000;
export const MAX_BLOCKED_WORD_LENGTH = 200;

export interface BlockedWordsList {
  /** Frozen: the same list is handed to every check until it changes. */
  words: readonly string[];
  /** `settings`: saved from the admin; `config`: BACKTALK_BLOCKED_WORDS, nothing saved yet. */
  source: 'settings' | 'config';
}

export interface BlockedWords {
  /**
   * The list in force. A list saved through this object applies to the very next submission; one
   * saved elsewhere (another instance on PostgreSQL, another process on the SQLite file) within
   * BlockedWordsOptions.maxAgeMs.
   */
  current(): Promise<BlockedWordsList>;
  replace(words: unknown): Promise<BlockedWordsList>;
}

export interface BlockedWordsOptions {
  /**
   * How long a list read from the settings table is used before it is read again. Every spam check
   * used to read the setting (a statement per comment, 2 % of a comment's CPU); this bounds how stale
   * another instance's save can be instead, for one read per interval.
   */
  maxAgeMs?: number;
  /** Milliseconds on a monotonic clock (tests move it). */
  now?: () => number;
}

/** A save on another instance applies here within this long. */
export const BLOCKED_WORDS_MAX_AGE_MS = 2000;

/** Trimmed, lower-cased (the checker compares lower-cased text), empty entries dropped, duplicates once. */
export function normalizeBlockedWords(input: unknown): string[] {
  if (!Array.isArray(input) || !input.every((w) => typeof w === 'string')) {
    throw new ValidationError('invalid-body', 'words-not-array', 'words');
  }
  const words = [...new Set((input as string[]).map((w) => w.trim().toLowerCase()).filter((w) => w !== ''))];
  if (words.length > MAX_BLOCKED_WORDS) {
    throw new ValidationError('invalid-body', msg('too-many-words', { max: MAX_BLOCKED_WORDS }), 'words');
  }
  const long = words.find((w) => w.length > MAX_BLOCKED_WORD_LENGTH);
  if (long !== undefined) {
    throw new ValidationError('field-too-long', msg('word-too-long', { max: MAX_BLOCKED_WORD_LENGTH }), 'words');
  }
  return words;
}

export function createBlockedWords(
  settings: SettingsRepository, fromConfig: readonly string[], options: BlockedWordsOptions = {},
): BlockedWords {
  const maxAgeMs = options.maxAgeMs ?? BLOCKED_WORDS_MAX_AGE_MS;
  const now = options.now ?? (() => performance.now());
  const configured: BlockedWordsList = Object.freeze({ words: Object.freeze(normalizeBlockedWords([...fromConfig])), source: 'config' });
  let cached: { list: BlockedWordsList; raw: string | undefined; readAt: number } | undefined;
  let reading: Promise<BlockedWordsList> | undefined;
  // Bumped by every save here, so a read that started before the save cannot put the old list back.
  let generation = 0;

  function remember(raw: string | undefined, readAt: number): BlockedWordsList {
    // The stored text is parsed again only when it has changed.
    const list = raw === undefined ? configured
      : raw === cached?.raw ? cached.list
        : Object.freeze({ words: Object.freeze(parseStored(raw)), source: 'settings' as const });
    cached = { list, raw, readAt };
    return list;
  }

  async function read(): Promise<BlockedWordsList> {
    const started = generation;
    const readAt = now();
    const raw = await settings.get(BLOCKED_WORDS_SETTING);
    if (started !== generation) return cached!.list;
    return remember(raw, readAt);
  }

  return {
    current() {
      if (cached && now() - cached.readAt < maxAgeMs) return Promise.resolve(cached.list);
      // Concurrent checks share one read.
      reading ??= read().finally(() => {
        reading = undefined;
      });
      return reading;
    },
    async replace(input) {
      const words = normalizeBlockedWords(input);
      const raw = JSON.stringify(words);
      await settings.set(BLOCKED_WORDS_SETTING, raw);
      generation += 1;
      return remember(raw, now());
    },
  };
}

/** A hand-edited or damaged value must not stop comments from arriving: it reads as an empty list. */
function parseStored(value: string): string[] {
  try {
    return normalizeBlockedWords(JSON.parse(value));
  } catch {
    return [];
  }
}

/**
 * The blocked-words list, editable from the moderation page without a restart. The owner's list lives
 * in the settings table; until one has been saved, BACKTALK_BLOCKED_WORDS applies (and seeds the
 * editor). Once saved, the stored list wins over the environment.
 */
import { ValidationError, msg } from '../domain/errors.js';
import type { SettingsRepository } from '../store/repository.js';

export const BLOCKED_WORDS_SETTING = 'blocked_words';
export const MAX_BLOCKED_WORDS = 2000;
export const MAX_BLOCKED_WORD_LENGTH = 200;

export interface BlockedWordsList {
  words: string[];
  /** `settings`: saved from the admin; `config`: BACKTALK_BLOCKED_WORDS, nothing saved yet. */
  source: 'settings' | 'config';
}

export interface BlockedWords {
  /** Read on every check, so a saved list applies to the very next submission (and in every process). */
  current(): Promise<BlockedWordsList>;
  replace(words: unknown): Promise<BlockedWordsList>;
}

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

export function createBlockedWords(settings: SettingsRepository, fromConfig: readonly string[]): BlockedWords {
  const configured = normalizeBlockedWords([...fromConfig]);
  // Every spam check reads the setting (so a saved list applies at once, in every process), but the
  // list is parsed again only when the stored text has changed.
  let parsed: { raw: string; words: string[] } | undefined;
  return {
    async current() {
      const stored = await settings.get(BLOCKED_WORDS_SETTING);
      if (stored === undefined) return { words: [...configured], source: 'config' };
      if (parsed?.raw !== stored) parsed = { raw: stored, words: parseStored(stored) };
      return { words: [...parsed.words], source: 'settings' };
    },
    async replace(input) {
      const words = normalizeBlockedWords(input);
      await settings.set(BLOCKED_WORDS_SETTING, JSON.stringify(words));
      return { words, source: 'settings' };
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

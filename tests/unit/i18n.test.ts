/**
 * Every language is complete (issue 16, point 4): the same keys as English, no empty text, the same
 * placeholders as the English text, and plural forms for exactly the categories Intl.PluralRules
 * knows for the language. A language is one file in src/i18n registered with one line.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ENGLISH, LOCALES, plural, type PluralForms } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/lib/paths.js';

type Tree = { [key: string]: string | Tree };

/** Each leaf of a strings tree as [dotted path, text], plural phrases left out (they are checked apart). */
function leaves(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [[prefix + key, value] as [string, string]]
      : isPlural(value) ? []
      : leaves(value, `${prefix}${key}.`));
}

/** Each plural phrase of a strings tree as [dotted path, forms]. */
function plurals(tree: Tree, prefix = ''): Array<[string, Record<string, string>]> {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? []
      : isPlural(value) ? [[prefix + key, value] as [string, Record<string, string>]]
      : plurals(value, `${prefix}${key}.`));
}

/** True when the plural category is chosen by exactly one whole number (0 to 1000) in the language. */
function singleNumber(lang: string, category: string): boolean {
  const rules = new Intl.PluralRules(lang);
  const numbers = Array.from({ length: 1001 }, (_, n) => n).filter((n) => rules.select(n) === category);
  return numbers.length === 1 && rules.select(1.5) !== category;
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();
}

/** Plural phrases are the objects with an `other` form (en.ts types them so). */
function isPlural(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && 'other' in value;
}

const english = leaves(ENGLISH as unknown as Tree);
const englishPlurals = plurals(ENGLISH as unknown as Tree);
const languages = Object.keys(LOCALES).sort();

test('at least 15 languages, with the ones the issue names and a right-to-left one', () => {
  assert.ok(languages.length >= 15, `only ${languages.length} languages: ${languages.join(', ')}`);
  for (const lang of ['en', 'ru', 'uk', 'de', 'fr', 'es', 'pt', 'it', 'pl', 'ja', 'zh']) assert.ok(languages.includes(lang), `${lang} is missing`);
  const rtl = languages.filter((lang) => LOCALES[lang]!.dir === 'rtl');
  assert.deepEqual(rtl.sort(), ['ar', 'he']);
  for (const lang of languages) assert.ok(['ltr', 'rtl'].includes(LOCALES[lang]!.dir), `${lang}: dir`);
});

test('adding a language is one file and one line: every file in src/i18n is registered under its own name', () => {
  const files = readdirSync(join(projectRoot(), 'src', 'i18n'))
    .filter((f) => /^[a-z]{2,3}\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  assert.deepEqual(files, languages);
  for (const lang of languages) assert.equal(LOCALES[lang]!.lang, lang, `${lang}.ts says lang "${LOCALES[lang]!.lang}"`);
});

describe('every language is complete', () => {
  for (const lang of languages) {
    test(lang, () => {
      const strings = LOCALES[lang] as unknown as Tree;
      const own = new Map(leaves(strings));
      const problems: string[] = [];
      for (const [path, text] of english) {
        const translated = own.get(path);
        if (translated === undefined) problems.push(`${path}: missing`);
        else if (translated.trim() === '') problems.push(`${path}: empty`);
        else if (placeholders(translated).join() !== placeholders(text).join()) {
          problems.push(`${path}: placeholders {${placeholders(translated).join('}, {')}} instead of {${placeholders(text).join('}, {')}}`);
        }
        own.delete(path);
      }
      for (const path of own.keys()) problems.push(`${path}: not an English key`);
      assert.deepEqual(problems, []);
    });
  }
});

describe('plural forms are exactly the Intl.PluralRules categories of each language', () => {
  for (const lang of languages) {
    test(lang, () => {
      const expected = [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
      const own = new Map(plurals(LOCALES[lang] as unknown as Tree));
      assert.deepEqual([...own.keys()].sort(), englishPlurals.map(([path]) => path).sort());
      for (const [path, englishForms] of englishPlurals) {
        const forms = own.get(path)!;
        assert.deepEqual(Object.keys(forms).sort(), expected, `${lang} ${path}`);
        for (const [category, text] of Object.entries(forms)) {
          assert.notEqual(text.trim(), '', `${lang} ${path}.${category} is empty`);
          // A category that stands for one number only may say it in words ("تعليقان", two comments).
          const expectedPlaceholders = placeholders(englishForms.other!);
          const allowed = singleNumber(lang, category) ? [expectedPlaceholders, expectedPlaceholders.filter((p) => p !== 'n')] : [expectedPlaceholders];
          assert.ok(allowed.some((p) => p.join() === placeholders(text).join()), `${lang} ${path}.${category}: {${placeholders(text).join('}, {')}}`);
        }
        // Each count gets its category's phrase, and the phrase shows that count (or names its one number).
        for (const n of [0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 1000000, 1.5]) {
          const category = new Intl.PluralRules(lang).select(n);
          const phrase = plural(LOCALES[lang]!, forms as PluralForms, n);
          assert.equal(phrase, forms[category]!.replace('{n}', String(n)), `${lang} ${path} ${n} → ${category}`);
          if (!singleNumber(lang, category)) assert.ok(phrase.includes(String(n)), `${lang} ${path} ${n}: "${phrase}" does not show the count`);
        }
      }
    });
  }

  test('Russian, Polish and Arabic pick the right forms', () => {
    const ru = LOCALES.ru!;
    assert.deepEqual([1, 3, 5, 21, 1.5].map((n) => plural(ru, ru.comments, n)),
      ['1 комментарий', '3 комментария', '5 комментариев', '21 комментарий', '1.5 комментария']);
    const pl = LOCALES.pl!;
    assert.deepEqual([1, 2, 5, 22].map((n) => plural(pl, pl.comments, n)), ['1 komentarz', '2 komentarze', '5 komentarzy', '22 komentarze']);
    const ar = LOCALES.ar!;
    assert.equal(plural(ar, ar.comments, 2), 'تعليقان');
    assert.equal(plural(ar, ar.comments, 0), 'لا تعليقات');
    assert.equal(plural(ar, ar.comments, 7), '7 تعليقات');
  });
});

test('names are never declined or gendered in Russian: they follow a colon', () => {
  const ru = LOCALES.ru!;
  for (const key of ['replyingTo', 'repliedAt', 'liked', 'reposted', 'trackbackFrom', 'pingbackFrom', 'webmentionFrom'] as const) {
    assert.match(ru[key], /: \{name\}$/, `ru.${key}: "${ru[key]}"`);
  }
  for (const text of [ru.mail.ownerSubject, ru.mail.replySubject, ru.mail.replyWrote]) assert.match(text, /: \{who\}/);
  const all = leaves(ru as unknown as Tree).map(([, text]) => text).join('\n');
  assert.doesNotMatch(all, /Ответ для|ответил|поделился|от \{who\}|от \{name\}/);
});

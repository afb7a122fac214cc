/**
 * Contract v1.1, "Language of messages": error messages and every page follow `?lang=`, then a `lang`
 * field in the body (JSON or form), then Accept-Language, else English; the error code never changes.
 * Real server, real SQLite file, real HTTP.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LOCALES } from '../../src/i18n/index.js';
import { useTestServer } from '../helpers/fixtures.js';
import { POST } from '../helpers/test-server.js';
import { assertErrorShape } from './http-support.js';

const ru = LOCALES.ru!;
const de = LOCALES.de!;
const EMPTY = { target: POST, body: '   ', author: 'Анна Каренина' };

describe('API error messages', () => {
  const server = useTestServer();

  test('an invalid comment: ?lang=ru, a lang field and Accept-Language de each translate the message, never the code', async () => {
    const english = await assertErrorShape(await server.postJson('/comments', EMPTY), 400, 'body');
    assert.equal(english.message, 'Please write a comment.');

    const byQuery = await server.postJson('/comments?lang=ru', EMPTY);
    assert.equal(byQuery.headers.get('content-language'), 'ru');
    const query = await assertErrorShape(byQuery, 400, 'body');
    assert.equal(query.message, ru.errors['comment-required']);
    assert.equal(query.message, 'Напишите, пожалуйста, комментарий.');

    const field = await assertErrorShape(await server.postJson('/comments', { ...EMPTY, lang: 'ru' }), 400, 'body');
    assert.equal(field.message, ru.errors['comment-required']);

    const header = await assertErrorShape(await server.postJson('/comments', EMPTY, { 'accept-language': 'de-AT, en;q=0.5' }), 400, 'body');
    assert.equal(header.message, 'Bitte schreib einen Kommentar.');

    const formField = await assertErrorShape(
      await server.postForm('/comments', { target: POST, body: '', lang: 'ru' }, { accept: 'application/json' }), 400, 'body');
    assert.equal(formField.message, ru.errors['comment-required']);

    for (const e of [query, field, header, formField]) assert.equal(e.code, english.code);
  });

  test('?lang= wins over the body field, the body field over Accept-Language; unknown languages fall through', async () => {
    const all = await assertErrorShape(
      await server.postJson('/comments?lang=de', { ...EMPTY, lang: 'ru' }, { 'accept-language': 'ja' }), 400);
    assert.equal(all.message, de.errors['comment-required']);
    const bodyOverHeader = await assertErrorShape(await server.postJson('/comments', { ...EMPTY, lang: 'ru' }, { 'accept-language': 'ja' }), 400);
    assert.equal(bodyOverHeader.message, ru.errors['comment-required']);
    const unknown = await assertErrorShape(await server.postJson('/comments?lang=xx', EMPTY, { 'accept-language': 'ja;q=0.9' }), 400);
    assert.equal(unknown.message, 'コメントを入力してください。');
  });

  test('parameters are filled in the translation: a too long name, a target off the sites', async () => {
    const long = await assertErrorShape(await server.postJson('/comments?lang=ru', { target: POST, body: 'x', author: 'a'.repeat(500) }), 400, 'author');
    assert.equal(long.code, 'field-too-long');
    assert.match(long.message, /^Имя может быть не длиннее \d+ символов\.$/);
    const off = await assertErrorShape(await server.postJson('/comments?lang=fr', { target: 'http://elsewhere.example/x', body: 'x' }), 403, 'target');
    assert.equal(off.code, 'target-not-allowed');
    assert.equal(off.message, 'http://elsewhere.example ne fait pas partie des sites servis ici.');
  });

  test('errors outside the comment form too: an unknown comment id, malformed JSON', async () => {
    const missing = await assertErrorShape(await server.request('/api/comments/999999?lang=pl', { method: 'DELETE', headers: { 'x-edit-token': 'x' } }), 404);
    assert.equal(missing.code, 'not-found');
    assert.equal(missing.message, LOCALES.pl!.errors['no-such-comment']);
    const json = await assertErrorShape(await server.request('/comments', {
      method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'uk' }, body: '{"target":',
    }), 400);
    assert.equal(json.code, 'invalid-json');
    assert.equal(json.message, LOCALES.uk!.errors['json-invalid']);
  });
});

describe('pages for readers without JavaScript', () => {
  const server = useTestServer({ BACKTALK_MODERATION: 'all' });

  test('the no-JS error page is in Russian when the form says lang=ru, with the language and direction on <html>', async () => {
    const res = await server.postForm('/comments', { target: POST, body: '', lang: 'ru' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const page = await res.text();
    assert.match(page, /<html lang="ru" dir="ltr">/);
    assert.match(page, /<title>Ошибка 400<\/title>/);
    assert.match(page, /<h1>Не удалось отправить комментарий<\/h1>/);
    assert.match(page, /<p role="alert">Напишите, пожалуйста, комментарий\.<\/p>/);
    assert.match(page, /Вернуться к записи<\/a> \(кнопка «Назад» в браузере сохранит написанный текст\)/);
    assert.doesNotMatch(page, /Please write|Back to the post/);
  });

  test('Arabic pages are right to left', async () => {
    const page = await (await server.postForm('/comments', { target: POST, body: '', lang: 'ar' })).text();
    assert.match(page, /<html lang="ar" dir="rtl">/);
    assert.match(page, /يُرجى كتابة تعليق\./);
    const thread = await (await server.request(`/thread?lang=he&target=${encodeURIComponent(POST)}`)).text();
    assert.match(thread, /<html lang="he" dir="rtl">/);
    assert.match(thread, /<section class="bt-thread" lang="he" dir="rtl"/);
    assert.match(thread, /<input type="hidden" name="lang" value="he">/);
  });

  test('the held page follows the language the comment was written in, and the comment keeps it', async () => {
    const res = await server.postForm('/comments', { target: POST, body: 'Дякую за допис!', author: 'Олена', lang: 'uk' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location') ?? '';
    assert.match(location, /\/comments\/held\?target=[^&]+&lang=uk$/);
    const held = await server.request(new URL(location).pathname + new URL(location).search);
    const page = await held.text();
    assert.match(page, /<html lang="uk" dir="ltr">/);
    assert.match(page, /<h1>Дякуємо!<\/h1>/);
    assert.match(page, /Ваш коментар отримано, він очікує на перевірку\./);
    const pending = await server.deps.store.comments.listByStatus('pending', { limit: 10 });
    const stored = pending.find((c) => c.bodyRaw === 'Дякую за допис!');
    assert.equal(stored?.lang, 'uk');
  });

  test('a comment posted with no language at all stores none (mails then use BACKTALK_MAIL_LANG)', async () => {
    const res = await server.postJson('/comments', { target: POST, body: 'no language here', author: 'N' });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: number };
    assert.equal((await server.deps.store.comments.findById(id))?.lang, undefined);
  });
});

describe('TrackBack answers', () => {
  const server = useTestServer();

  test('a TrackBack error message follows ?lang=, the <error> stays 1', async () => {
    const res = await server.postForm(`/trackback?target=${encodeURIComponent(POST)}&lang=ru`, { title: 'no url' });
    assert.equal(res.status, 200);
    const xml = await res.text();
    assert.match(xml, /<error>1<\/error>/);
    assert.match(xml, new RegExp(`<message>${ru.errors['trackback-url-required'].replace(/[()]/g, '\\$&')}</message>`));
  });
});

describe('the moderation page', () => {
  const server = useTestServer();

  test('/admin is rendered in the reader\'s language, its texts handed to the script in data-strings', async () => {
    const res = await server.request('/admin', { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('vary') ?? '', /Accept-Language/);
    const page = await res.text();
    assert.match(page, /<html lang="ru" dir="ltr">/);
    assert.match(page, /<title>Модерация Backtalk<\/title>/);
    const attr = /data-strings="([^"]*)"/.exec(page)?.[1] ?? '';
    const strings = JSON.parse(attr.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Record<string, unknown>;
    assert.equal(strings.signIn, 'Войти');
    assert.deepEqual(strings.kinds, ru.mail.kinds);
    const hebrew = await (await server.request('/admin?lang=he')).text();
    assert.match(hebrew, /<html lang="he" dir="rtl">/);
  });

  test('admin API errors follow Accept-Language too', async () => {
    const res = await server.request('/api/admin/comments?status=pending', { headers: { 'accept-language': 'ru' } });
    const error = await assertErrorShape(res, 401);
    assert.equal(error.code, 'unauthorized');
    assert.equal(error.message, 'Нужен действующий ключ администратора.');
    const bad = await assertErrorShape(await server.admin('/api/admin/comments?status=nope&lang=de'), 400, 'status');
    assert.equal(bad.message, 'status muss einer dieser Werte sein: pending, approved, spam, trash.');
  });
});

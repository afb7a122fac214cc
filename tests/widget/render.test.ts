/** The pure pieces of the thread rendering: relative dates, language negotiation, closed threads, deleted placeholders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Comment } from '../../src/domain/comment.js';
import { LOCALES } from '../../src/i18n/index.js';
import { negotiateLocale } from '../../src/render/locale.js';
import { relativeTime } from '../../src/render/relative-time.js';
import { renderThreadFragment } from '../../src/render/thread-fragment.js';

const NOW = new Date('2026-11-25T12:00:00Z');

function comment(fields: Partial<Comment> & { id: number }): Comment {
  return {
    threadId: 1, target: 'http://blog.example/p/', parent: null, kind: 'comment', status: 'approved', author: 'Ann', email: '',
    url: '', bodyHtml: '<p>hi</p>', bodyRaw: 'hi', source: null, title: null, mentionType: null, authorPhoto: null, ip: '',
    userAgent: '', reasons: [], editTokenHash: null, deleted: false, created: new Date(NOW.getTime() - 3600_000), edited: null,
    ...fields,
  } as Comment;
}

const view = (comments: Comment[], extra: { commentsClosed?: boolean; lang?: string } = {}) => renderThreadFragment({
  target: 'http://blog.example/p/', comments, commentsClosed: extra.commentsClosed ?? false, publicUrl: 'http://bt.example',
  avatarUrl: () => 'http://bt.example/avatar/x.svg', strings: LOCALES[extra.lang ?? 'en']!, now: NOW,
}).value;

test('relative dates through Intl.RelativeTimeFormat, largest unit that fits, rounded down', () => {
  const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
  assert.equal(relativeTime(ago(0), NOW, 'en'), 'now');
  assert.equal(relativeTime(ago(59 * 60), NOW, 'en'), '59 minutes ago');
  assert.equal(relativeTime(ago(3 * 3600), NOW, 'en'), '3 hours ago');
  assert.equal(relativeTime(ago(86400), NOW, 'en'), 'yesterday');
  assert.equal(relativeTime(ago(5 * 3600), NOW, 'ru'), '5 часов назад');
  assert.equal(relativeTime(ago(2 * 86400), NOW, 'ru'), 'позавчера');
});

test('language: explicit lang first, then Accept-Language by q-value, English otherwise', () => {
  assert.equal(negotiateLocale('ru-RU', 'en').lang, 'ru');
  assert.equal(negotiateLocale(undefined, 'fi, ru;q=0.8, en;q=0.5').lang, 'ru');
  assert.equal(negotiateLocale(undefined, 'ru;q=0.2, en;q=0.9').lang, 'en');
  assert.equal(negotiateLocale(undefined, 'fi').lang, 'en');
  assert.equal(negotiateLocale('', undefined).lang, 'en');
});

test('a closed thread shows its comments but no form and no reply links', () => {
  const out = view([comment({ id: 1 })], { commentsClosed: true });
  assert.match(out, /<p class="bt-closed">Comments are closed\.<\/p>/);
  assert.doesNotMatch(out, /<form|data-bt-reply/);
  assert.match(out, /id="comment-1"/);
});

test('a deleted comment with replies stays as a placeholder without author or body; counts skip it', () => {
  const out = view([comment({ id: 1, deleted: true, author: 'Gone', bodyHtml: '<p>secret</p>' }), comment({ id: 2, parent: 1, author: 'Bob' })]);
  assert.match(out, /<article class="bt-item bt-deleted"><p class="bt-body">This comment was deleted\.<\/p><\/article>/);
  assert.doesNotMatch(out, /Gone|secret/);
  assert.match(out, /<h2 class="bt-title" id="bt-title">1 comment<\/h2>/);
  assert.match(out, /id="comment-1"[\s\S]*<ol class="bt-replies"><li class="bt-comment" id="comment-2"/);
});

test('a reply whose parent is not shown is kept at the top level; unsafe author URLs are not linked', () => {
  const out = view([comment({ id: 5, parent: 99, url: 'javascript:alert(1)' })]);
  assert.match(out, /<ol class="bt-comments"><li class="bt-comment" id="comment-5"/);
  assert.match(out, /<span class="bt-author">Ann<\/span>/);
  assert.doesNotMatch(out, /javascript:/);
});

test('Russian plural forms in the heading', () => {
  const many = Array.from({ length: 5 }, (_, i) => comment({ id: i + 1 }));
  assert.match(view(many, { lang: 'ru' }), /5 комментариев/);
  assert.match(view(many.slice(0, 2), { lang: 'ru' }), /2 комментария/);
  assert.match(view(many.slice(0, 1), { lang: 'ru' }), /1 комментарий</);
  assert.match(view([], { lang: 'ru' }), /0 комментариев[\s\S]*Комментариев пока нет/);
});

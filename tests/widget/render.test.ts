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
  assert.equal(negotiateLocale(undefined, 'fr, ru;q=0.8, en;q=0.5').lang, 'ru');
  assert.equal(negotiateLocale(undefined, 'ru;q=0.2, en;q=0.9').lang, 'en');
  assert.equal(negotiateLocale(undefined, 'de').lang, 'en');
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
  assert.match(out, /<span class="bt-author"><bdi>Ann<\/bdi><\/span>/);
  assert.doesNotMatch(out, /javascript:/);
});

test('Russian plural forms in the heading', () => {
  const many = Array.from({ length: 5 }, (_, i) => comment({ id: i + 1 }));
  assert.match(view(many, { lang: 'ru' }), /5 комментариев/);
  assert.match(view(many.slice(0, 2), { lang: 'ru' }), /2 комментария/);
  assert.match(view(many.slice(0, 1), { lang: 'ru' }), /1 комментарий</);
  assert.match(view([], { lang: 'ru' }), /0 комментариев[\s\S]*Комментариев пока нет/);
});

test('every name on the page is isolated in <bdi>: authors, "replying to", linkback senders', () => {
  const rtl = '\u05D0\u05D1\u05D2 (RTL)';
  const out = renderThreadFragment({
    target: 'http://blog.example/p/', commentsClosed: false, publicUrl: 'http://bt.example', replyTo: 1,
    avatarUrl: () => 'http://bt.example/avatar/x.svg', strings: LOCALES.en!, now: NOW,
    comments: [
      comment({ id: 1, author: rtl, url: 'https://rtl.example/' }),
      comment({ id: 2, parent: 1, author: 'Bob' }),
      // Deeper than MAX_DEPTH the thread goes on flat, each reply naming whom it answers.
      comment({ id: 4, parent: 2, author: rtl }),
      comment({ id: 5, parent: 4, author: rtl }),
      comment({ id: 6, parent: 5, author: 'Cy' }),
      comment({ id: 3, kind: 'pingback', author: rtl, source: 'https://other.example/post', title: 'T' }),
    ],
  }).value;
  assert.match(out, new RegExp(`<a class="bt-author" href="https://rtl.example/"[^>]*><bdi>${rtl.replace(/[()]/g, '\\$&')}</bdi></a>`));
  assert.match(out, /<span class="bt-author"><bdi>Bob<\/bdi><\/span>/);
  assert.match(out, /class="bt-parent-link"[^>]*>↪ <bdi>[^<]+<\/bdi><\/a>/);
  assert.match(out, /<span class="bt-via">Pingback from <bdi>[^<]*<\/bdi><\/span>/);
  assert.match(out, /<p class="bt-replying">Replying to <bdi>[^<]*<\/bdi>/);
  // Outside attributes, no name is left outside an isolate.
  const bare = out.replace(/<bdi>[^<]*<\/bdi>/g, '').replace(/="[^"]*"/g, '=""');
  assert.ok(!bare.includes(rtl), bare);
});

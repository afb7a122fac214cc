/**
 * The thread as server-rendered HTML: comments threaded, linkbacks under "Mentions", and the comment
 * form. The same fragment is the no-JavaScript page's body (/thread), what the widget inserts
 * (/thread?fragment=1) and what static-site builds include. Pure: data in, SafeHtml out.
 *
 * Everything from readers passes through `html`, which escapes it; only `bodyHtml`, the sanitizer's
 * output (pipeline/sanitize.ts), is inserted as markup. Class names are `bt-` prefixed and stable:
 * site owners style them and the widget finds its elements by them.
 */
import type { Comment } from '../domain/comment.js';
import { plural, type Strings } from '../i18n/index.js';
import { html, trusted, type SafeHtml } from '../lib/html.js';
import { parseHttpUrl } from '../lib/url.js';
import { absoluteTime, relativeTime } from './relative-time.js';
import { pageParams, renderMoreLink, renderSortNav, renderVoteForm, type FragmentPage } from './thread-nav.js';

/** Replies nest this many levels deep; deeper replies continue flat at the last level. */
export const MAX_DEPTH = 3;

export interface ThreadView {
  target: string;
  /** Approved comments and linkbacks plus deleted placeholders, oldest first (listVisible). */
  comments: readonly Comment[];
  commentsClosed: boolean;
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
  strings: Strings;
  now: Date;
  /** The no-JavaScript reply link's parent: the form starts as a reply to it. */
  replyTo?: number;
  /** BACKTALK_EDIT_MINUTES, so the widget offers Edit/Delete exactly as long as the server allows. */
  editMinutes?: number;
  /** `/thread?title=…`: the post's title, posted with the no-JavaScript form so the thread learns it. */
  postTitle?: string;
  /** The page shown (contract v1.1); absent: the whole thread, oldest first, without paging links. */
  page?: FragmentPage;
  /** BACKTALK_VOTES: like and dislike buttons under each comment. */
  votes?: boolean;
}

/** The strings the interactive widget needs, handed over in the fragment so one locale file serves both. */
const WIDGET_STRINGS = [
  'reply', 'cancelReply', 'replyingTo', 'edit', 'delete', 'save', 'cancel', 'preview', 'posting', 'posted',
  'pending', 'tooMany', 'failed', 'confirmDelete', 'saved', 'deletedOwn', 'anonymous', 'bodyLabel', 'loadFailed', 'voteFailed',
] as const;

export function threadUrl(view: Pick<ThreadView, 'publicUrl' | 'target' | 'strings'>, extra = ''): string {
  return `${view.publicUrl}/thread?target=${encodeURIComponent(view.target)}&lang=${view.strings.lang}${extra}`;
}

export function renderThreadFragment(view: ThreadView): SafeHtml {
  const { strings: t } = view;
  const comments = view.comments.filter((c) => c.kind === 'comment');
  const mentions = view.comments.filter((c) => c.kind !== 'comment' && !c.deleted);
  // A page holds part of the thread: the heading counts the whole of it.
  const visibleCount = view.page?.commentCount ?? comments.filter((c) => !c.deleted).length;
  const widgetStrings: Record<string, string> = {};
  for (const key of WIDGET_STRINGS) widgetStrings[key] = t[key];

  return html`<section class="bt-thread" lang="${t.lang}" dir="${t.dir}" aria-labelledby="bt-title" data-bt-target="${view.target}" data-bt-strings="${JSON.stringify(widgetStrings)}" data-bt-edit-minutes="${view.editMinutes ?? 15}" data-bt-order="${view.page?.sort ?? 'oldest'}">
<h2 class="bt-title" id="bt-title">${plural(t, t.comments, visibleCount)}</h2>
${visibleCount === 0 ? html`<p class="bt-empty">${t.noComments}</p>` : ''}
${renderSortNav(view)}
<ol class="bt-comments">${renderTree(comments, view)}</ol>
${renderMoreLink(view)}
${mentions.length > 0 ? renderMentions(mentions, view) : ''}
${view.commentsClosed ? html`<p class="bt-closed">${t.commentsClosed}</p>` : renderForm(view)}
</section>`;
}

interface Tree {
  byId: Map<number, Comment>;
  children: Map<number, Comment[]>;
}

/** Replies under their parents; a reply whose parent is not shown (held, spam or gone) stays top-level so it is not lost. */
function renderTree(comments: readonly Comment[], view: ThreadView): SafeHtml[] {
  const tree: Tree = { byId: new Map(comments.map((c) => [c.id, c])), children: new Map() };
  const roots: Comment[] = [];
  for (const c of comments) {
    if (c.parent === null || !tree.byId.has(c.parent)) {
      roots.push(c);
      continue;
    }
    const list = tree.children.get(c.parent) ?? [];
    list.push(c);
    tree.children.set(c.parent, list);
  }
  return renderList(roots, tree, 1, view);
}

function renderList(items: readonly Comment[], tree: Tree, depth: number, view: ThreadView): SafeHtml[] {
  const out: SafeHtml[] = [];
  for (const c of items) {
    const kids = tree.children.get(c.id) ?? [];
    if (depth < MAX_DEPTH) {
      const nested = kids.length > 0 ? html`<ol class="bt-replies">${renderList(kids, tree, depth + 1, view)}</ol>` : '';
      out.push(html`<li class="bt-comment" id="comment-${c.id}" data-bt-id="${c.id}">${renderComment(c, view, undefined)}${nested}</li>`);
      continue;
    }
    // At the deepest level the whole subtree continues flat, each reply saying whom it answers.
    const flat: Comment[] = [];
    const walk = (x: Comment) => {
      flat.push(x);
      for (const k of tree.children.get(x.id) ?? []) walk(k);
    };
    walk(c);
    for (const x of flat) {
      const answers = x === c || x.parent === null ? undefined : tree.byId.get(x.parent);
      out.push(html`<li class="bt-comment" id="comment-${x.id}" data-bt-id="${x.id}">${renderComment(x, view, answers)}</li>`);
    }
  }
  return out;
}

/**
 * A message with its `{name}` filled by the name isolated in <bdi> (HTML §4.5.23), so a name written
 * right to left cannot reorder the words of the message around it; the name is escaped as usual.
 */
function withName(template: string, name: string): SafeHtml {
  return html`${template.split('{name}').map((part, i) => (i === 0 ? part : [html`<bdi>${name}</bdi>`, part]))}`;
}

function authorName(c: Comment, t: Strings): string {
  return c.author.trim() === '' ? t.anonymous : c.author;
}

function renderTime(c: Comment, view: ThreadView): SafeHtml {
  const { strings: t } = view;
  return html`<a class="bt-permalink" href="#comment-${c.id}"><time class="bt-time" datetime="${c.created.toISOString()}" title="${absoluteTime(c.created, t.lang)}">${relativeTime(c.created, view.now, t.lang)}</time></a>${c.edited ? html` <span class="bt-edited">(${t.edited})</span>` : ''}`;
}

function renderComment(c: Comment, view: ThreadView, answers: Comment | undefined): SafeHtml {
  const { strings: t } = view;
  if (c.deleted) {
    return html`<article class="bt-item bt-deleted"><p class="bt-body">${t.deleted}</p></article>`;
  }
  const name = authorName(c, t);
  const site = parseHttpUrl(c.url);
  const author = site
    ? html`<a class="bt-author" href="${site.href}" rel="nofollow ugc noopener"><bdi>${name}</bdi></a>`
    : html`<span class="bt-author"><bdi>${name}</bdi></span>`;
  const inReplyTo = answers
    ? html` <a class="bt-parent-link" href="#comment-${answers.id}">↪ <bdi>${answers.deleted ? t.anonymous : authorName(answers, t)}</bdi></a>`
    : '';
  const reply = view.commentsClosed
    ? ''
    : html`<a class="bt-reply" href="${threadUrl(view, `${pageParams(view.page)}&parent=${c.id}`)}#bt-form" data-bt-reply="${c.id}" data-bt-name="${name}">${t.reply}</a>`;
  return html`<article class="bt-item">
<header class="bt-meta"><img class="bt-avatar" src="${view.avatarUrl(c)}" alt="" width="40" height="40" loading="lazy" decoding="async"> ${author}${inReplyTo} ${renderTime(c, view)}</header>
<div class="bt-body">${trusted(c.bodyHtml)}</div>
<footer class="bt-actions">${view.votes ? renderVoteForm(c, view) : ''}${reply}</footer>
</article>`;
}

function renderMentions(mentions: readonly Comment[], view: ThreadView): SafeHtml {
  const { strings: t } = view;
  const items = mentions.map((m) => {
    const source = parseHttpUrl(m.source ?? '');
    const name = m.author.trim() !== '' ? m.author : (source?.host ?? t.anonymous);
    const via = m.mentionType === 'like' ? t.liked
      : m.mentionType === 'repost' ? t.reposted
      : m.kind === 'trackback' ? t.trackbackFrom
      : m.kind === 'pingback' ? t.pingbackFrom
      : t.webmentionFrom;
    const title = m.title?.trim() || source?.href || '';
    const link = source
      ? html`<a class="bt-source" href="${source.href}" rel="nofollow ugc noopener">${title}</a>`
      : html`<span class="bt-source">${title}</span>`;
    return html`<li class="bt-mention bt-${m.kind}" id="comment-${m.id}">
<p class="bt-meta"><span class="bt-via">${withName(via, name)}</span> ${renderTime(m, view)}</p>
<p class="bt-source-title">${link}</p>
${m.bodyHtml.trim() !== '' ? html`<div class="bt-excerpt">${trusted(m.bodyHtml)}</div>` : ''}
</li>`;
  });
  return html`<section class="bt-mentions" aria-labelledby="bt-mentions-title">
<h3 class="bt-mentions-title" id="bt-mentions-title">${t.mentions} (${mentions.length})</h3>
<ul class="bt-mention-list">${items}</ul>
</section>`;
}

function renderForm(view: ThreadView): SafeHtml {
  const { strings: t } = view;
  const parent = view.replyTo !== undefined ? view.comments.find((c) => c.id === view.replyTo && c.kind === 'comment' && !c.deleted) : undefined;
  const replying = parent
    ? html`<p class="bt-replying">${withName(t.replyingTo, authorName(parent, t))} <a class="bt-cancel-reply" href="${threadUrl(view, pageParams(view.page))}#bt-form">${t.cancelReply}</a></p>`
    : '';
  return html`<form class="bt-form" id="bt-form" method="post" action="${view.publicUrl}/comments" aria-labelledby="bt-form-title">
<h3 class="bt-form-title" id="bt-form-title">${t.formHeading}</h3>
${replying}
<input type="hidden" name="target" value="${view.target}">
<input type="hidden" name="lang" value="${t.lang}">
<input type="hidden" name="parent" value="${parent ? String(parent.id) : ''}">
${view.postTitle ? html`<input type="hidden" name="title" value="${view.postTitle}">` : ''}
<p class="bt-field bt-field-body"><label for="bt-body">${t.bodyLabel}</label>
<textarea id="bt-body" name="body" rows="5" required maxlength="10000" aria-describedby="bt-body-hint"></textarea>
<small class="bt-hint" id="bt-body-hint">${t.bodyHint}</small></p>
<div class="bt-preview" hidden aria-label="${t.preview}"></div>
<div class="bt-fields">
<p class="bt-field"><label for="bt-author">${t.nameLabel}</label><input id="bt-author" name="author" maxlength="100" autocomplete="name"></p>
<p class="bt-field"><label for="bt-email">${t.emailLabel}</label><input id="bt-email" name="email" type="email" maxlength="254" autocomplete="email"></p>
<p class="bt-field"><label for="bt-url">${t.urlLabel}</label><input id="bt-url" name="url" inputmode="url" maxlength="500" autocomplete="url"></p>
</div>
<p class="bt-hp" aria-hidden="true"><label for="bt-website2">${t.honeypotLabel}</label><input id="bt-website2" name="website2" tabindex="-1" autocomplete="off"></p>
<p class="bt-check"><label><input type="checkbox" name="subscribe" value="1"> ${t.subscribeLabel}</label></p>
<p class="bt-buttons"><button type="submit" class="bt-submit">${t.submit}</button></p>
<p class="bt-status" role="status" aria-live="polite"></p>
</form>`;
}

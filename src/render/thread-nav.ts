/**
 * The parts of the thread fragment that page, sort and vote (contract v1.1): plain links and plain
 * forms, so /thread works without JavaScript; the widget (src/widget/paging.ts, votes.ts) finds them
 * by their data-bt-* attributes and does the same in place.
 */
import type { Comment } from '../domain/comment.js';
import { THREAD_SORTS, type ThreadSort } from '../domain/thread-page.js';
import type { Strings } from '../i18n/index.js';
import { html, type SafeHtml } from '../lib/html.js';

/** Where the fragment sits in a paged thread. */
export interface FragmentPage {
  sort: ThreadSort;
  /** Shown comments and linkbacks of the whole thread. */
  total: number;
  /** Of those, the readers' comments: the heading's number. */
  commentCount: number;
  /** The next page's cursor (encoded), or null on the last page. */
  next: string | null;
  /** The cursor this page was asked for (encoded), or null for the first page. */
  current: string | null;
}

/**
 * The query parameters that name this page, so a no-JavaScript reply link opens the form on the
 * same page, where the comment replied to is shown.
 */
export function pageParams(page: FragmentPage | undefined): string {
  if (!page) return '';
  return `${page.sort === 'oldest' ? '' : `&sort=${page.sort}`}${page.current ? `&cursor=${page.current}` : ''}`;
}

interface NavView {
  target: string;
  publicUrl: string;
  strings: Strings;
  page?: FragmentPage;
}

function pageUrl(view: NavView, extra: string): string {
  return `${view.publicUrl}/thread?target=${encodeURIComponent(view.target)}&lang=${view.strings.lang}${extra}`;
}

const SORT_LABELS: Readonly<Record<ThreadSort, 'sortOldest' | 'sortNewest' | 'sortLiked'>> = {
  oldest: 'sortOldest', newest: 'sortNewest', liked: 'sortLiked',
};

/** Links to the thread's first page in each order; the current one is marked. */
export function renderSortNav(view: NavView): SafeHtml | '' {
  const { strings: t, page } = view;
  if (!page || page.total < 2) return '';
  const links = THREAD_SORTS.map((sort) => sort === page.sort
    ? html`<a class="bt-sort-link" href="${pageUrl(view, `&sort=${sort}`)}" data-bt-sort="${sort}" aria-current="true">${t[SORT_LABELS[sort]]}</a>`
    : html`<a class="bt-sort-link" href="${pageUrl(view, `&sort=${sort}`)}" data-bt-sort="${sort}">${t[SORT_LABELS[sort]]}</a>`);
  return html`<nav class="bt-sort" aria-label="${t.sortLabel}"><span class="bt-sort-label">${t.sortLabel}:</span> ${links.map((l, i) => (i === 0 ? l : html` · ${l}`))}</nav>`;
}

/** "Show more": a link to the next page, which the widget loads in place. */
export function renderMoreLink(view: NavView): SafeHtml | '' {
  const { strings: t, page } = view;
  if (!page?.next) return '';
  const extra = `${page.sort === 'oldest' ? '' : `&sort=${page.sort}`}&cursor=${page.next}`;
  return html`<p class="bt-more-wrap"><a class="bt-more" href="${pageUrl(view, extra)}" data-bt-more="${page.next}" rel="next">${t.showMore}</a></p>`;
}

/**
 * Like and dislike as a plain form: without JavaScript it posts and comes back to this page at the
 * comment; the widget posts it as JSON with the reader's voter id and updates the counts.
 */
export function renderVoteForm(c: Comment, view: NavView): SafeHtml {
  const { strings: t } = view;
  return html`<form class="bt-vote" method="post" action="${view.publicUrl}/api/comments/${c.id}/vote" data-bt-vote="${c.id}">
<input type="hidden" name="lang" value="${t.lang}"><input type="hidden" name="target" value="${view.target}"><input type="hidden" name="sort" value="${view.page?.sort ?? 'oldest'}">
<button type="submit" name="value" value="1" class="bt-vote-button bt-like" title="${t.like}"><span aria-hidden="true">▲</span><span class="bt-sr">${t.like}</span> <span class="bt-likes">${c.likes ?? 0}</span></button>
<button type="submit" name="value" value="-1" class="bt-vote-button bt-dislike" title="${t.dislike}"><span aria-hidden="true">▼</span><span class="bt-sr">${t.dislike}</span> <span class="bt-dislikes">${c.dislikes ?? 0}</span></button>
</form>`;
}

/**
 * "Show more" and the sort links of a paged thread (contract v1.1), in place: the server renders
 * each page as the same fragment /thread serves without JavaScript, and this only moves its items
 * into the thread already on the page. The chosen order is remembered per reader (localStorage).
 */

export const SORT_KEY = 'backtalk:sort';

/** The fragment URL of the thread in `section`, with `extra` query parameters. */
export function fragmentUrl(base: string, section: HTMLElement, extra: string): string {
  return `${base}/thread?fragment=1&lang=${encodeURIComponent(section.lang)}&target=${encodeURIComponent(section.dataset.btTarget!)}${extra}`;
}

/** The `&sort=` part for a section's order (nothing for the default). */
export function sortParam(sort: string | undefined): string {
  return sort && sort !== 'oldest' ? `&sort=${encodeURIComponent(sort)}` : '';
}

async function fetchFragment(url: string): Promise<HTMLElement | null> {
  const res = await fetch(url, { cache: 'no-cache' });
  if (!res.ok) return null;
  const tpl = document.createElement('template');
  tpl.innerHTML = await res.text(); // server-rendered and escaped, as in embed.ts
  return tpl.content.querySelector<HTMLElement>('.bt-thread');
}

/**
 * Loads the page after `link` and appends its comments (and mentions) to the thread; the link is
 * replaced by the next page's, or removed on the last page. Resolves false when it failed.
 */
export async function showMore(section: HTMLElement, base: string, link: HTMLAnchorElement, focus = true): Promise<boolean> {
  const cursor = link.dataset.btMore!;
  link.setAttribute('aria-busy', 'true');
  const fresh = await fetchFragment(fragmentUrl(base, section, `${sortParam(section.dataset.btOrder)}&cursor=${encodeURIComponent(cursor)}`)).catch(() => null);
  link.removeAttribute('aria-busy');
  if (!fresh) return false;
  const list = section.querySelector('.bt-comments')!;
  const added = Array.from(fresh.querySelector('.bt-comments')?.children ?? []);
  // A comment can be on two pages only if the thread changed between them (a vote moved it in
  // "most liked"): keep the copy already shown.
  for (const item of added) if (!document.getElementById(item.id)) list.append(item);
  const mentions = Array.from(fresh.querySelectorAll('.bt-mention-list > li')).filter((m) => !document.getElementById(m.id));
  const ownMentions = section.querySelector('.bt-mention-list');
  if (ownMentions) ownMentions.append(...mentions);
  else if (mentions.length > 0) list.parentElement!.querySelector('.bt-more-wrap, .bt-comments')!.after(fresh.querySelector('.bt-mentions')!);
  const wrap = link.closest('.bt-more-wrap')!;
  const next = fresh.querySelector('.bt-more-wrap');
  if (next) wrap.replaceWith(next);
  else wrap.remove();
  // Keyboard and screen-reader users continue at the first comment that came in.
  if (focus) added.find((item) => item.isConnected)?.querySelector<HTMLElement>('a, button')?.focus();
  return true;
}

/** Remembers the reader's order (the loader asks for it on every page of the blog). */
export function rememberSort(sort: string): void {
  try {
    localStorage.setItem(SORT_KEY, sort);
  } catch {
    // Storage disabled: the order holds for this page only.
  }
}

/**
 * The "Sites" tab: the origins Backtalk serves (BACKTALK_SITES) and the page origins it refused for
 * not being one of them, with counts and the likely mistake (http for https, "www.", another port).
 * A first embed on a wrong origin shows up here instead of failing silently.
 */
import { call } from './api.js';
import type { ListContext } from './comment-list.js';
import { append, clear, h } from './dom.js';
import { format, LANG, T } from './i18n.js';

interface Refused {
  origin: string;
  reason: 'no-origin' | 'scheme-or-port' | 'www' | 'not-in-sites';
  site: string | null;
  count: number;
  first: string;
  last: string;
}

export function createOriginsPanel(ctx: ListContext) {
  const sites = h('ul', { class: 'bta-sites' });
  const refused = h('ul', { class: 'bta-list bta-refused', 'aria-label': T.originsRefused });

  async function refresh(): Promise<void> {
    try {
      const data = await call<{ sites: string[]; refused: Refused[] }>('origins');
      clear(sites);
      for (const site of data.sites) append(sites, h('li', {}, h('code', {}, site)));
      clear(refused);
      for (const r of data.refused) {
        append(refused, h('li', { class: 'bta-item bta-pending', 'data-origin': r.origin },
          h('header', { class: 'bta-item-head' }, h('h3', { class: 'bta-author' }, h('code', {}, r.origin))),
          h('p', {}, format(T.originReasons[r.reason], { site: r.site ?? '' })),
          h('p', { class: 'bta-note' }, format(T.originSeen, {
            count: r.count, first: new Date(r.first).toLocaleString(LANG), last: new Date(r.last).toLocaleString(LANG),
          }))));
      }
      if (data.refused.length === 0) append(refused, h('li', { class: 'bta-empty' }, T.originsNone));
    } catch (err) {
      ctx.failed(err);
    }
  }

  const element = h('div', {},
    h('h2', { class: 'bta-h2' }, T.originsServed), sites,
    h('h2', { class: 'bta-h2' }, T.originsRefused), h('p', { class: 'bta-note' }, T.originsHelp), refused);
  return { element, refresh };
}

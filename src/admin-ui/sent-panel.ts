/**
 * The "Sent" tab: the linkbacks Backtalk sent for the owner's posts, per post and per link, with the
 * receiver's answer, and buttons to send a post (or one link) again. Says plainly when sending is off.
 */
import { api, type SentPost } from './api.js';
import type { ListContext } from './comment-list.js';
import { append, clear, externalLink, h, nextId } from './dom.js';

export function createSentPanel(ctx: ListContext) {
  const notice = h('p', { class: 'bta-note', role: 'status' });
  const sourceId = nextId('bta-send');
  const source = h('input', { type: 'url', id: sourceId, name: 'source', required: true, placeholder: 'https://your.blog/post/' });
  const form = h('form', { class: 'bta-search' }, h('label', { for: sourceId }, 'Send linkbacks for'), source, h('button', { type: 'submit' }, 'Send'));
  const list = h('div', { class: 'bta-sent' });
  // The form is left out rather than hidden: `.bta-search` sets display, which would beat [hidden].
  const formSlot = h('div', {});

  async function act(work: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await work();
      ctx.announce(done);
      await refresh();
    } catch (err) {
      ctx.failed(err);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const url = source.value.trim();
    if (url) void act(() => api.send(url), `Queued ${url}.`);
  });

  function postView(post: SentPost): HTMLElement {
    const again = h('button', { type: 'button' }, 'Send again');
    again.addEventListener('click', () => void act(() => api.send(post.source), `Queued ${post.source} again.`));
    const rows = post.links.map((link) => {
      const cell = h('td', {});
      // Pingback and TrackBack are sent once per link; only a failed one, or a Webmention, goes again.
      if (link.state !== 'queued' && !(link.state === 'sent' && link.protocol !== 'webmention')) {
        const button = h('button', { type: 'button' }, 'Send again');
        button.addEventListener('click', () => void act(() => api.sendLink(link.id), `Queued ${link.target} again.`));
        append(cell, button);
      }
      return h('tr', { class: `bta-outcome-${link.state}` },
        h('td', { class: 'bta-url' }, externalLink(link.target), link.in_post ? null : ' (removed from the post)'),
        h('td', {}, link.protocol), h('td', {}, link.state), h('td', {}, link.response), cell);
    });
    const state = post.status === 'pending' ? 'waiting to be read' : post.status === 'failed' ? `could not be read: ${post.error ?? ''}` : post.gone ? 'gone (410)' : `${post.links.length} ${post.links.length === 1 ? 'link' : 'links'}`;
    return h('section', { class: 'bta-card' },
      h('h2', {}, externalLink(post.source, post.title || post.source)),
      h('p', { class: 'bta-note' }, state, ' · ', again),
      post.links.length === 0 ? null : h('table', { class: 'bta-table' },
        h('thead', {}, h('tr', {}, ...['Link', 'Protocol', 'State', 'Receiver said', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...rows)));
  }

  async function refresh(): Promise<void> {
    try {
      const { enabled, feeds, posts } = await api.sends();
      notice.textContent = enabled
        ? feeds.length > 0 ? `Sending is on; watching ${feeds.join(', ')}.` : 'Sending is on (no feeds watched: BACKTALK_FEEDS is not set).'
        : 'Sending is OFF (BACKTALK_SEND=off): nothing is sent, nothing queued leaves.';
      notice.className = enabled ? 'bta-note' : 'bta-error';
      formSlot.replaceChildren(...(enabled ? [form] : []));
      clear(list);
      append(list, ...posts.map(postView));
      if (posts.length === 0) append(list, h('p', {}, 'Nothing sent yet.'));
    } catch (err) {
      ctx.failed(err);
    }
  }

  return { element: h('div', {}, notice, formSlot, list), refresh };
}

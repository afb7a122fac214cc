/**
 * The owner's voice on the moderation page (issue 17.3): under each comment, reply as the site
 * (published at once, with the owner badge), edit its text as a moderator, pin or unpin it. Kept
 * apart from the moderation list (comment-list.ts), which only places what this returns.
 */
import { api, type AdminComment } from './api.js';
import { h, nextId } from './dom.js';
import { format, T } from './i18n.js';
import type { ListContext } from './comment-list.js';

/** The buttons and their inline boxes for one comment; null for items they do not apply to. */
export function ownerActions(c: AdminComment, ctx: ListContext): HTMLElement | null {
  if (c.type !== 'comment' || c.deleted) return null;
  const box = h('div', { class: 'bta-owner-box' });
  const buttons: HTMLButtonElement[] = [];
  const button = (label: string, cls: string, onClick: () => void) => {
    const b = h('button', { type: 'button', class: `bta-act ${cls}` }, label);
    b.addEventListener('click', onClick);
    buttons.push(b);
    return b;
  };

  const openForm = (label: string, initial: string, submitLabel: string, send: (text: string) => Promise<void>) =>
    openTextForm(box, ctx, label, initial, submitLabel, send);

  // Only an approved comment can be answered (a reply must answer what readers can see).
  if (c.status === 'approved') {
    button(T.reply, 'bta-reply', () => openForm(T.replyLabel, '', T.replySend, async (text) => {
      await api.reply(c.target, c.id, text);
      ctx.announce(format(T.replied, { id: c.id }));
      ctx.changed();
    }));
  }
  button(T.edit, 'bta-edit', () => openForm(format(T.editLabel, { id: c.id }), c.body_raw, T.editSave, async (text) => {
    await api.edit(c.id, text);
    ctx.announce(format(T.edited, { id: c.id }));
    ctx.changed();
  }));
  if (c.parent === null) {
    const action = c.pinned ? 'unpin' : 'pin';
    button(T.actions[action], `bta-${action}`, () => {
      void api.moderate(c.id, action).then(() => {
        ctx.announce(format(T.commentResult, { id: c.id, action: T.done[action] }));
        ctx.changed();
      }, (err: unknown) => ctx.failed(err));
    });
  }
  return h('div', { class: 'bta-owner' },
    h('div', { class: 'bta-actions', role: 'group', 'aria-label': format(T.moderateComment, { id: c.id }) }, ...buttons), box);
}

/**
 * One inline form in `box` (replacing what was there): a labelled text area, its submit and a cancel
 * button. Used under a comment (reply, edit) and under a thread (a new top-level comment, panels.ts).
 */
export function openTextForm(
  box: HTMLElement, ctx: ListContext, label: string, initial: string, submitLabel: string, send: (text: string) => Promise<void>,
): void {
  box.replaceChildren();
  const id = nextId('bta-owner-text');
  const area = h('textarea', { id, rows: '4', required: true });
  area.value = initial;
  const cancel = h('button', { type: 'button', class: 'bta-cancel' }, T.cancel);
  const form = h('form', { class: 'bta-owner-form' },
    h('label', { for: id }, label), area,
    h('div', { class: 'bta-owner-buttons' }, h('button', { type: 'submit' }, submitLabel), cancel));
  cancel.addEventListener('click', () => box.replaceChildren());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(area.value).catch((err: unknown) => ctx.failed(err));
  });
  box.append(form);
  area.focus();
}

/**
 * "Write a comment" under a thread on the Threads tab: a top-level comment as the site owner,
 * published at once (the admin API's POST /api/admin/comments with no parent).
 */
export function ownerCommentOn(target: string, title: string | null, ctx: ListContext): HTMLElement {
  const box = h('div', { class: 'bta-owner-box' });
  const open = h('button', { type: 'button', class: 'bta-act bta-write' }, T.writeComment);
  open.addEventListener('click', () => openTextForm(box, ctx, T.commentLabel, '', T.commentSend, async (text) => {
    await api.reply(target, null, text);
    box.replaceChildren();
    ctx.announce(format(T.commented, { target: title ?? target }));
    ctx.changed();
  }));
  return h('div', { class: 'bta-owner' }, open, box);
}

/** The owner badge and the pinned mark beside the author's name. */
export function ownerBadges(c: AdminComment): HTMLElement[] {
  const badges: HTMLElement[] = [];
  if (c.owner) badges.push(h('span', { class: 'bta-badge bta-owner-badge' }, T.ownerBadge));
  if (c.pinned) badges.push(h('span', { class: 'bta-badge bta-pinned-badge' }, T.pinnedBadge));
  return badges;
}

/**
 * The texts of every mail Backtalk sends, as plain text (no HTML part: nothing to sanitize twice, and
 * the links stay visible). Headers are built here too; nodemailer encodes them.
 */
import type { Comment } from '../domain/comment.js';
import type { OutgoingMail } from './mail-transport.js';

const EXCERPT_CHARS = 2000;

export interface OwnerLinks {
  approve?: string;
  spam?: string;
  delete: string;
  admin: string;
}

/** A header value from user text: no line breaks (header injection), bounded length. */
function oneLine(value: string, max = 120): string {
  const flat = value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

const KIND_NAMES: Record<Comment['kind'], string> = { comment: 'comment', trackback: 'trackback', pingback: 'pingback', webmention: 'webmention' };

/** The owner's notice of a new item; held items say so first in the subject so they sort together. */
export function ownerMail(c: Comment, from: string, to: string, links: OwnerLinks): OutgoingMail {
  const held = c.status === 'pending';
  const who = c.author || c.source || 'someone';
  const subject = oneLine(`${held ? '[held] ' : ''}New ${KIND_NAMES[c.kind]} by ${who} on ${c.target}`, 200);
  const lines = [
    `${held ? 'Held for moderation' : 'Published'}: a new ${KIND_NAMES[c.kind]} on ${c.target}`,
    '',
    `Author: ${c.author || '(none)'}`,
  ];
  if (c.email) lines.push(`E-mail: ${c.email}`);
  if (c.url) lines.push(`Web site: ${c.url}`);
  if (c.source) lines.push(`Source: ${c.source}`);
  if (c.title) lines.push(`Title: ${c.title}`);
  if (c.reasons.length > 0) lines.push(`Flagged: ${c.reasons.join(', ')}`);
  lines.push('', excerpt(c.bodyRaw), '');
  if (c.status === 'approved') lines.push(`Read it: ${c.target}#comment-${c.id}`);
  if (links.approve) lines.push(`Approve: ${links.approve}`);
  if (links.spam) lines.push(`Mark as spam: ${links.spam}`);
  lines.push(`Delete: ${links.delete}`, `All comments: ${links.admin}`, '');
  lines.push('Each link opens a page that asks you to confirm, works once and expires after 7 days.');
  return { from, to, subject, text: lines.join('\n') };
}

/** Double opt-in: nothing is sent to a subscriber until this link has been followed and confirmed. */
export function confirmSubscriptionMail(from: string, to: string, target: string, confirmUrl: string): OutgoingMail {
  return {
    from,
    to,
    subject: oneLine(`Confirm: replies on ${target}`, 200),
    text: [
      `Somebody (we hope you) asked to be told by e-mail of new replies on ${target}.`,
      '',
      `To confirm, open this link and press the button: ${confirmUrl}`,
      '',
      'If it was not you, ignore this mail: nothing more will be sent.',
    ].join('\n'),
  };
}

/** A reply notice to a confirmed subscriber, with RFC 8058 one-click unsubscribe headers. */
export function replyMail(c: Comment, from: string, to: string, unsubscribeUrl: string): OutgoingMail {
  return {
    from,
    to,
    subject: oneLine(`New reply by ${c.author || 'someone'} on ${c.target}`, 200),
    text: [
      `${c.author || 'Someone'} wrote on ${c.target}:`,
      '',
      excerpt(c.bodyRaw),
      '',
      `Read and answer: ${c.target}#comment-${c.id}`,
      '',
      `Stop these mails (one click): ${unsubscribeUrl}`,
    ].join('\n'),
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      // RFC 8058 §3.1: the POST to the URL above, with this body, unsubscribes without a confirmation step.
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 3834: automated mail, so vacation responders stay quiet.
      'Auto-Submitted': 'auto-generated',
    },
  };
}

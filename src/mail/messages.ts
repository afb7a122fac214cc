/**
 * The texts of every mail Backtalk sends. The plain text is the reference; owner and reply mails add
 * an HTML part (mail-html.ts) with the post's title as a link and the comment as formatted, sanitized
 * HTML, since that is what people expect from a notification. Headers are built here too; nodemailer
 * encodes them.
 */
import type { Comment } from '../domain/comment.js';
import type { OutgoingMail } from './mail-transport.js';
import { format } from '../i18n/index.js';
import { formatHtml } from '../render/format-html.js';
import { mailLocale, mailStrings, type MailStrings } from './mail-strings.js';
import { postLink, renderMailHtml } from './mail-html.js';

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

/** Issue 16.5: a post is named by its title when known; the sentence keeps the address beside it. */
function postNamed(target: string, title: string | null | undefined): { subject: string; text: string } {
  return title ? { subject: title, text: `${title} (${target})` } : { subject: target, text: target };
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** The owner's notice of a new item; held items say so first in the subject so they sort together. */
/**
 * `mailBody`: the comment as mail HTML (commentHtmlForMail of its body_html), which the HTML part
 * shows; without it the mail is plain text only.
 */
export function ownerMail(c: Comment, from: string, to: string, links: OwnerLinks, s: MailStrings = mailStrings('en'), postTitle?: string | null, mailBody?: string): OutgoingMail {
  const held = c.status === 'pending';
  const who = c.author || c.source || s.someone;
  const post = postNamed(c.target, postTitle);
  const vars = { held: held ? s.held : '', kind: s.kinds[c.kind], who, target: post.subject };
  const lines = [format(held ? s.ownerHeld : s.ownerPublished, { ...vars, target: post.text }), '', `${s.author}: ${c.author || s.none}`];
  if (c.email) lines.push(`${s.email}: ${c.email}`);
  if (c.url) lines.push(`${s.website}: ${c.url}`);
  if (c.source) lines.push(`${s.source}: ${c.source}`);
  if (c.title) lines.push(`${s.title}: ${c.title}`);
  if (c.reasons.length > 0) lines.push(`${s.flagged}: ${c.reasons.join(', ')}`);
  lines.push('', excerpt(c.bodyRaw), '');
  if (c.status === 'approved') lines.push(`${s.readIt}: ${c.target}#comment-${c.id}`);
  if (links.approve) lines.push(`${s.approve}: ${links.approve}`);
  if (links.spam) lines.push(`${s.spam}: ${links.spam}`);
  lines.push(`${s.delete}: ${links.delete}`, `${s.allComments}: ${links.admin}`, '', s.linkNote);
  const facts: Array<[string, string]> = [[s.author, c.author || s.none]];
  if (c.email) facts.push([s.email, c.email]);
  if (c.url) facts.push([s.website, c.url]);
  if (c.source) facts.push([s.source, c.source]);
  if (c.title) facts.push([s.title, c.title]);
  if (c.reasons.length > 0) facts.push([s.flagged, c.reasons.join(', ')]);
  const actions = [
    ...(c.status === 'approved' ? [{ label: s.readIt, href: `${c.target}#comment-${c.id}` }] : []),
    ...(links.approve ? [{ label: s.approve, href: links.approve }] : []),
    ...(links.spam ? [{ label: s.spam, href: links.spam }] : []),
    { label: s.delete, href: links.delete },
    { label: s.allComments, href: links.admin },
  ];
  const mail: OutgoingMail = { from, to, subject: oneLine(format(s.ownerSubject, vars), 200), text: lines.join('\n') };
  if (mailBody !== undefined) {
    // Added to the new locale object, not spread into another (V8's slow path; docs/benchmarks.md).
    mail.html = renderMailHtml(Object.assign(mailLocale(s), {
      heading: formatHtml(held ? s.ownerHeld : s.ownerPublished, { ...vars, target: postLink(c.target, postTitle) }),
      facts, mailBody, actions, note: s.linkNote,
    }));
  }
  return mail;
}

/** Double opt-in: nothing is sent to a subscriber until this link has been followed and confirmed. */
export function confirmSubscriptionMail(from: string, to: string, target: string, confirmUrl: string, s: MailStrings = mailStrings('en'), postTitle?: string | null): OutgoingMail {
  const post = postNamed(target, postTitle);
  return {
    from,
    to,
    subject: oneLine(format(s.confirmSubject, { target: post.subject }), 200),
    text: [format(s.confirmText, { target: post.text }), '', `${s.confirmLink}: ${confirmUrl}`, '', s.confirmIgnore].join('\n'),
  };
}

/** A reply notice to a confirmed subscriber, with RFC 8058 one-click unsubscribe headers; `mailBody` as for ownerMail. */
export function replyMail(c: Comment, from: string, to: string, unsubscribeUrl: string, s: MailStrings = mailStrings('en'), postTitle?: string | null, mailBody?: string): OutgoingMail {
  const post = postNamed(c.target, postTitle);
  const vars = { who: c.author || s.someone, target: post.subject };
  const read = `${c.target}#comment-${c.id}`;
  return {
    from,
    to,
    subject: oneLine(format(s.replySubject, vars), 200),
    ...(mailBody === undefined ? {} : {
      html: renderMailHtml(Object.assign(mailLocale(s), {
        heading: formatHtml(s.replyWrote, { ...vars, target: postLink(c.target, postTitle) }),
        mailBody,
        actions: [{ label: s.replyRead, href: read }, { label: s.replyStop, href: unsubscribeUrl }],
      })),
    }),
    text: [
      format(s.replyWrote, { ...vars, target: post.text }),
      '',
      excerpt(c.bodyRaw),
      '',
      `${s.replyRead}: ${read}`,
      '',
      `${s.replyStop}: ${unsubscribeUrl}`,
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

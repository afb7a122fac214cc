/**
 * POST /comments once its body is read: the comment form adapter, the pipeline, and the answer the
 * contract gives (a 303 for a reader's form, else 201 with the comment). One function for both doors
 * that serve it: the Express route (comment-routes.ts) and the lane that answers before Express
 * (comment-lane.ts); each writes the answer its own way.
 */
import { AppError } from '../domain/errors.js';
import type { ClientInfo, Comment } from '../domain/comment.js';
import { parseCommentForm, toCommentJson } from '../protocols/comment-form.js';
import type { Pipeline } from '../pipeline/receive.js';
import { ownClaimsCookie } from './own-comments-cookie.js';
import type { WriteAdmission } from './write-admission.js';

/** 64 KiB: the contract's limit (413 above it). */
export const COMMENT_BODY_LIMIT = 64 * 1024;

export interface CommentPostDeps {
  pipeline: Pipeline;
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
  /** Mail is configured (BACKTALK_SMTP_URL): a reply subscription sends its confirmation mail. */
  mailOn?: boolean;
  /** When the pipeline may start (write-admission.ts); at once without one. */
  admission?: WriteAdmission;
}

/** What POST /comments needs of its request. */
export interface CommentPostRequest {
  /** The parsed form or JSON body. */
  body: unknown;
  client: ClientInfo;
  /** requestLanguage(): the comment keeps the language it was written in (its mails are sent in it). */
  lang: string | undefined;
  /** A reader's plain form post (isFormPost): answered with a redirect, not JSON. */
  formPost: boolean;
  /** The Cookie header, whose own-comment claims the new one joins. */
  cookie: string | undefined;
}

export type CommentPostAnswer =
  | { status: 303; location: string; setCookie: string | undefined }
  | { status: 201; location: string; json: string };

export function createCommentPost(deps: CommentPostDeps): (req: CommentPostRequest) => Promise<CommentPostAnswer> {
  const admission = deps.admission;
  return admission ? (req) => admission.run(() => post(req)) : post;

  async function post(req: CommentPostRequest): Promise<CommentPostAnswer> {
    const submission = await deps.pipeline.admit(parseCommentForm(req.body, req.client, req.lang));
    const result = await deps.pipeline.receive(submission);
    if (result.kind !== 'stored') throw new AppError('internal-error', 500, 'internal-error');
    const { comment, editToken } = result;
    // Issue 17.4: ticking "e-mail me replies" with an address starts the double opt-in; say so.
    const confirmationSent = deps.mailOn === true && submission.subscribe === true && (submission.email ?? '').trim() !== '';
    if (req.formPost) {
      // Spam is answered like a held comment here too. Its author keeps the proof (the edit token) in
      // a cookie, so /thread shows them their held comment (own-comments-cookie.ts).
      const setCookie = comment.status !== 'approved' && editToken ? ownClaimsCookie(req.cookie, { id: comment.id, token: editToken }, deps.publicUrl) : undefined;
      return { status: 303, location: encodeLocation(formRedirect(req.body, comment, req.lang, confirmationSent)), setCookie };
    }
    // Spam is answered like a held comment, so a spammer learns nothing from the response.
    const status = comment.status === 'approved' ? 'approved' : 'pending';
    const json = JSON.stringify(Object.assign(toCommentJson(comment, deps.avatarUrl(comment)), {
      status, edit_token: editToken, ...(confirmationSent ? { subscription: 'confirmation-sent' } : {}),
    }));
    return { status: 201, location: encodeLocation(`${deps.publicUrl}/api/comments/${comment.id}`), json };
  }

  /**
   * Where a plain form post goes: posted from /thread (the form says `return=thread`), back to /thread
   * at the new comment, since that page can show it (held ones to their author); otherwise the
   * contract's answer: the post at the comment when published, else the held page. `posted` makes the
   * /thread URL the reader's own, so no shared cache answers it with the thread as it was.
   */
  function formRedirect(body: unknown, comment: Comment, lang: string | undefined, confirmationSent: boolean): string {
    const query = `target=${encodeURIComponent(comment.target)}${lang ? `&lang=${lang}` : ''}${confirmationSent ? '&subscribed=1' : ''}`;
    if ((body as Record<string, unknown>).return === 'thread') return `${deps.publicUrl}/thread?${query}&posted=${comment.id}#comment-${comment.id}`;
    if (comment.status === 'approved') return `${comment.target}#comment-${comment.id}`;
    return `${deps.publicUrl}/comments/held?${query}`;
  }
}

/**
 * The short body of a 303: what a client that does not follow redirects shows. Written directly
 * instead of Express's res.redirect(), whose content negotiation (and `Vary: Accept`) cost about 5 %
 * of a POST for a body no browser displays.
 */
export function redirectBody(location: string): string {
  return `See Other. Redirecting to ${location}`;
}

/**
 * A URL made safe for a Location header as Express's res.location() makes it (the encodeurl
 * package): characters outside the URL set are percent-encoded, escapes already there are kept, a
 * lone surrogate becomes U+FFFD.
 */
export function encodeLocation(url: string): string {
  return url
    .replace(/([\uD800-\uDBFF][\uDC00-\uDFFF])|[\uD800-\uDFFF]/g, (_, pair: string | undefined) => pair ?? '\uFFFD')
    .replace(/(?:[^\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]+|%+(?![0-9A-Fa-f]{2}))+/g, encodeURI);
}

/** The sanitize step: normalized fields become the draft of the item to store, its HTML rendered once. */
import type { LinkbackSubmission } from '../domain/comment.js';
import { renderCommentBodyOffThread } from '../workers/offload.js';
import type { NormalizedComment, NormalizedLinkback } from './normalize.js';
import type { Draft, NewDraft } from './save.js';
import { renderPlainText } from './sanitize.js';

/** A comment's body is Markdown, rendered and sanitized (off the main thread when it is long). */
export async function commentDraft<T extends string>(target: T, threadId: number | null, fields: NormalizedComment): Promise<Draft & { target: T }> {
  return {
    kind: 'comment', target, threadId, parent: fields.parent, author: fields.author, email: fields.email, url: fields.url,
    bodyRaw: fields.bodyRaw, bodyHtml: await renderCommentBodyOffThread(fields.bodyRaw),
    source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null,
  };
}

/** A linkback's body is the plain-text excerpt or link context; it never carries markup of its own. */
export function linkbackDraft(input: LinkbackSubmission, threadId: number | null, fields: NormalizedLinkback): NewDraft {
  return {
    kind: input.kind, target: input.target, threadId, parent: null, author: fields.author, email: '', url: fields.url,
    bodyRaw: fields.excerpt, bodyHtml: renderPlainText(fields.excerpt),
    source: fields.source, sourceKey: fields.sourceKey, title: fields.title, mentionType: fields.mentionType, authorPhoto: fields.authorPhoto,
  };
}

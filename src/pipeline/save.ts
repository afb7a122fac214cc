/**
 * The store and notify steps: a new item (its thread created now, when something is stored in it),
 * an edited comment, an updated Webmention, a removed item; each followed by its notification event.
 */
import type { ClientInfo, Comment, EditedBy, NewComment, SiteTarget } from '../domain/comment.js';
import { NotFoundError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { reduceIp } from '../lib/ip.js';
import { sha256Hex } from '../lib/tokens.js';
import type { NotifyQueue } from '../notify/notifier.js';
import type { Store } from '../store/repository.js';
import type { Judgement } from './judge.js';
import type { TitleLearner } from './post-title.js';
import type { ReceiveResult } from './receive-result.js';

/** An item before its status is decided: what the spam checks judge and what will be stored. */
export type Draft = Omit<NewComment, 'threadId' | 'status' | 'reasons' | 'ip' | 'userAgent' | 'editTokenHash' | 'created'> & {
  /** The thread's target: a SiteTarget for a new item, the stored item's own for a change. */
  target: string;
  /** Null while the thread does not exist yet. */
  threadId: number | null;
};

/** A new item's draft: its target came through a door. */
export type NewDraft = Draft & { target: SiteTarget };

/** A changed item keeps what flagged it before, so a moderator sees every reason. */
function mergedReasons(before: Comment, verdict: Judgement): string[] {
  return [...new Set([...before.reasons, ...verdict.reasons])];
}

export interface SaveDeps {
  store: Store;
  notifier: NotifyQueue;
  clock: Clock;
  /** BACKTALK_KEEP_IP: keep the full client address instead of a reduced one. */
  keepIp: boolean;
  titles?: TitleLearner;
}

/** What the door knows of a new item's author besides the item itself. */
export interface AuthorFacts {
  editToken?: string;
  subscribe?: boolean;
  lang?: string;
  postTitle?: string;
  /** Only the owner's door (owner-voice.ts) sets it. */
  owner?: boolean;
}

/** The store and notify steps of the hallway: one method per kind of change. */
export interface Save {
  saveNew(draft: NewDraft, verdict: Judgement, client: ClientInfo, author?: AuthorFacts): Promise<ReceiveResult>;
  saveEdit(before: Comment, draft: Draft, verdict: Judgement, by?: EditedBy): Promise<ReceiveResult>;
  saveUpdate(before: Comment, draft: Draft, verdict: Judgement): Promise<ReceiveResult>;
  remove(comment: Comment, reason: string): Promise<ReceiveResult>;
}

export function createSave(deps: SaveDeps): Save {
  const { store, clock } = deps;

  async function saveNew(draft: NewDraft, verdict: Judgement, client: ClientInfo, author: AuthorFacts = {}): Promise<ReceiveResult> {
    const threadId = draft.threadId ?? (await store.threads.ensure(draft.target, clock.now())).id;
    // Issue 16.5. Only an approved comment may name the post: a first-title-wins field must not be
    // settable by spam or a held stranger; for those the post page itself is asked instead. Learned
    // before the insert, so the notification rows written in the insert's transaction name the post.
    await deps.titles?.learn({ id: threadId, target: draft.target }, verdict.status === 'approved' ? author.postTitle : undefined);
    // Every field named rather than `{ ...draft, threadId, … }`: on this V8 (Node 20) properties added
    // after a spread take a slow path, about 1 µs each (docs/benchmarks.md, "Spread, then add").
    const result = await store.comments.insert({
      kind: draft.kind, threadId, parent: draft.parent, author: draft.author, email: draft.email, url: draft.url,
      bodyRaw: draft.bodyRaw, bodyHtml: draft.bodyHtml, source: draft.source, sourceKey: draft.sourceKey, title: draft.title,
      mentionType: draft.mentionType, authorPhoto: draft.authorPhoto, status: verdict.status, reasons: verdict.reasons,
      // The spam checks saw the full address; what is kept is reduced unless the owner opts out.
      ip: deps.keepIp ? client.ip : reduceIp(client.ip), userAgent: client.userAgent.slice(0, 254),
      editTokenHash: author.editToken === undefined ? null : sha256Hex(author.editToken), created: clock.now(),
      // The language the reader wrote in: the comment's mails are sent in it.
      lang: author.lang ?? null,
      owner: author.owner === true,
    }, deps.notifier.plan({ type: 'comment-received' }));
    if (result.kind === 'duplicate-linkback') return { kind: 'duplicate', existing: result.existing };
    deps.notifier.enqueue({ type: 'comment-received', comment: result.comment, subscribe: author.subscribe === true });
    return { kind: 'stored', comment: result.comment, editToken: author.editToken ?? null };
  }

  /** An author's edit of their comment (the text, name and website), or a moderator's (the text). */
  async function saveEdit(before: Comment, draft: Draft, verdict: Judgement, by: EditedBy = 'author'): Promise<ReceiveResult> {
    return changed(before, await store.comments.edit(before.id, {
      author: draft.author, url: draft.url, bodyRaw: draft.bodyRaw, bodyHtml: draft.bodyHtml,
      status: verdict.status, reasons: mergedReasons(before, verdict), edited: clock.now(), editedBy: by,
    }, deps.notifier.plan({ type: 'comment-changed', from: before.status })));
  }

  /** A re-sent Webmention: everything taken from the source page again (§3.2.4). */
  async function saveUpdate(before: Comment, draft: Draft, verdict: Judgement): Promise<ReceiveResult> {
    return changed(before, await store.comments.updateLinkback(before.id, {
      author: draft.author, url: draft.url, title: draft.title ?? '', bodyRaw: draft.bodyRaw, bodyHtml: draft.bodyHtml,
      mentionType: draft.mentionType, authorPhoto: draft.authorPhoto,
      status: verdict.status, reasons: mergedReasons(before, verdict), edited: clock.now(),
    }, deps.notifier.plan({ type: 'comment-changed', from: before.status })));
  }

  function changed(before: Comment, after: Comment | undefined): ReceiveResult {
    if (!after) throw new NotFoundError('no-such-comment');
    deps.notifier.enqueue({ type: 'comment-changed', comment: after, from: before.status });
    return { kind: 'updated', comment: after };
  }

  /** An author's own removal, or a retracted Webmention: announced as the moderator's delete is (comment.deleted). */
  async function remove(comment: Comment, reason: string): Promise<ReceiveResult> {
    if ((await store.comments.remove(comment.id, deps.notifier.plan({ type: 'comment-deleted' }))) === 'missing') throw new NotFoundError('no-such-comment');
    return { kind: 'removed', comment, reason };
  }

  return { saveNew, saveEdit, saveUpdate, remove };
}

/**
 * The one hallway every door leads to (comment form, TrackBack, Pingback, Webmention, and the owner's
 * own door in the admin API: owner-voice.ts), for new items, changes and removals: the door admits
 * (rate limit, target resolved against the sites), then verify source (linkbacks) → normalize →
 * sanitize → judge (spam checks, status) → store → notify.
 */
import type { CommentEditSubmission, CommentRemovalSubmission, CommentSubmission, LinkbackSubmission, Submission } from '../domain/comment.js';
import { linkKey } from '../lib/url.js';
import { newToken } from '../lib/tokens.js';
import { admitComment } from './comment-checks.js';
import { createDoor, refuseIfClosed, type Door } from './door.js';
import { commentDraft, linkbackDraft } from './drafts.js';
import { judge } from './judge.js';
import { checkLinkbackSource } from './linkback-source.js';
import { createLinkbackLog } from './linkback-log.js';
import { normalizeComment, normalizeLinkback } from './normalize.js';
import { oneAtATime } from './one-at-a-time.js';
import { ownComment } from './own-comment.js';
import { createOwnerVoice } from './owner-voice.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { ReceiveResult } from './receive-result.js';
import { createSave } from './save.js';
import { holdsFor, verifiedSource, verifyLinkback } from './verification.js';
import { decodeClaimedText } from './decode-claimed-text.js';

export type { PipelineDeps, PipelineSettings } from './pipeline-deps.js';
export type { ReceiveResult } from './receive-result.js';

export interface Pipeline extends Door {
  receive(input: Submission): Promise<ReceiveResult>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { settings, store, clock } = deps;
  const log = createLinkbackLog(store, clock);
  const door = createDoor({ limiter: deps.limiter, sites: settings.sites, linkbacksOpen: settings.linkbacksOpen, log });
  const save = createSave({ store, notifier: deps.notifier, clock, keepIp: settings.keepIp, titles: deps.titles });
  const judging = { spamCheckers: deps.spamCheckers, moderation: settings.moderation, store };
  const own = { store, clock, editWindowMinutes: settings.editWindowMinutes };
  const verification = { verifier: deps.verifier, verifyTrackbacks: settings.verifyTrackbacks };
  const perSource = oneAtATime();
  // The same comment posted twice at once (a double click, a resent form) would otherwise pass the
  // duplicate check twice before either is stored — both commits can land in one batch
  // (write-queue.ts). Identical submissions run one after the other instead: the second finds the
  // first stored and is refused as a repeat, as it would be a moment later.
  const perRepeat = oneAtATime();
  const owner = createOwnerVoice({ store, save, ownerName: settings.ownerName });

  function receive(input: Submission): Promise<ReceiveResult> {
    switch (input.kind) {
      case 'comment': return perRepeat(repeatKey(input), () => receiveComment(input));
      case 'owner-comment': return owner.receiveOwnerComment(input);
      case 'comment-edit': return editComment(input);
      case 'moderator-edit': return owner.editAsModerator(input);
      case 'comment-removal': return removeComment(input);
      default: return log.attempt(input, () => perSource(`${input.target} ${linkKey(input.source) ?? input.source}`, () => receiveLinkback(input)));
    }
  }

  /** What the duplicate check compares (the thread, the author by e-mail or else by name, the text), as submitted. */
  function repeatKey(input: CommentSubmission): string {
    return JSON.stringify([input.target, input.email ? `e:${input.email}` : `n:${input.author}`, input.body]);
  }

  async function receiveComment(input: CommentSubmission): Promise<ReceiveResult> {
    const { thread, fields } = await admitComment(input, store);
    const draft = await commentDraft(input.target, thread?.id ?? null, fields);
    const verdict = await judge(draft, { client: input.client, honeypot: fields.honeypot, previous: null }, judging);
    return save.saveNew(draft, verdict, input.client, { editToken: newToken(), subscribe: input.subscribe, lang: input.lang, postTitle: input.postTitle });
  }

  /** An edit is judged like a new comment (issue 14): it may be held or filed as spam. */
  async function editComment(input: CommentEditSubmission): Promise<ReceiveResult> {
    const current = await ownComment(input.id, input.editToken, own);
    const fields = normalizeComment({ body: input.body, author: input.author ?? current.author, email: current.email, url: input.url ?? current.url });
    const draft = { ...(await commentDraft(current.target, current.threadId, fields)), parent: current.parent };
    const verdict = await judge(draft, { client: input.client, previous: current.status }, judging);
    return save.saveEdit(current, draft, verdict);
  }

  async function removeComment(input: CommentRemovalSubmission): Promise<ReceiveResult> {
    return save.remove(await ownComment(input.id, input.editToken, own), 'deleted by its author');
  }

  async function receiveLinkback(input: LinkbackSubmission): Promise<ReceiveResult> {
    const thread = await store.threads.findByTarget(input.target);
    refuseIfClosed(input.kind, thread, settings.linkbacksOpen);
    const sourceKey = checkLinkbackSource(input, settings);
    const existing = thread && (await store.comments.findLinkback(thread.id, sourceKey));
    // TrackBack and Pingback register a source once; a re-sent Webmention is verified again (§3.2.4).
    if (existing && input.kind !== 'webmention') return { kind: 'duplicate', existing };
    if (!existing) await deps.threadLimiter.consume(`thread:${input.target}`);
    const evidence = await verifyLinkback(input, input.target, verification);
    if (evidence.kind === 'retracted') {
      if (!existing) throw evidence.error;
      return save.remove(existing, `mention deleted: ${evidence.why}`);
    }
    const verified = verifiedSource(evidence);
    // TrackBack text in an unnamed legacy charset is decoded now, with the source page's charset as the hint.
    const claimed = await decodeClaimedText(input, verified?.charset);
    const draft = linkbackDraft(claimed, thread?.id ?? null, normalizeLinkback(claimed, verified));
    const verdict = await judge(draft, { client: input.client, holds: holdsFor(evidence), previous: existing?.status ?? null }, judging);
    return existing ? save.saveUpdate(existing, draft, verdict) : save.saveNew(draft, verdict, input.client);
  }

  return { admit: door.admit, receive };
}

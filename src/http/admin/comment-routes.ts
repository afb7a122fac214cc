/** Admin API (bearer token): queues, search, moderation (one or in bulk), threads, linkback log, blocked words. */
import express, { Router, type Request } from 'express';
import { COMMENT_STATUSES, type Comment, type CommentStatus, type Thread } from '../../domain/comment.js';
import { NotFoundError, ValidationError, msg } from '../../domain/errors.js';
import { toAdminCommentJson } from '../../protocols/comment-form.js';
import type { BlockedWords } from '../../moderation/blocked-words.js';
import { moderateMany, parseBulkIds } from '../../moderation/bulk.js';
import { MODERATION_ACTIONS, type ModerationAction, type ModerationResult } from '../../moderation/moderate.js';
import { COMMENT_SEARCH_FIELDS, type CommentSearchField, type Store, type ThreadSummary } from '../../store/repository.js';
import { idParam } from '../comment-routes.js';
import { resolveTarget } from '../../domain/target.js';
import { threadTitles } from './thread-titles.js';

export interface AdminRouteDeps {
  store: Store;
  sites: readonly string[];
  moderate: (id: number, action: ModerationAction) => Promise<ModerationResult>;
  blockedWords: BlockedWords;
  avatarUrl: (c: Comment) => string;
}

const MAX_QUERY_LENGTH = 200;

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  // body_raw (added to the contract's admin shape): what the author typed, which the page shows as text.
  const json = (c: Comment) => Object.assign(toAdminCommentJson(c, deps.avatarUrl(c)), { body_raw: c.bodyRaw });
  const body = express.json({ limit: '64kb' });
  // Lists carry each comment's post title (`thread_title`), so the page can name the post, not its URL.
  const listJson = async (comments: Comment[]) => {
    const titles = await threadTitles(deps.store, comments);
    return comments.map((c) => Object.assign(json(c), { thread_title: titles.get(c.threadId) ?? null }));
  };

  // Without `q`: one status queue (default pending). With `q`: search, in one `field` or all, in one status or all.
  router.get('/comments', async (req, res) => {
    const page = pageParams(req);
    const q = optionalString(req, 'q').trim();
    if (q.length > MAX_QUERY_LENGTH) throw new ValidationError('field-too-long', msg('query-too-long', { name: 'q', max: MAX_QUERY_LENGTH }), 'q');
    if (q === '') {
      const status = statusParam(optionalString(req, 'status') || 'pending');
      res.json({ comments: await listJson(await deps.store.comments.listByStatus(status, page)) });
      return;
    }
    const rawStatus = optionalString(req, 'status');
    const field = optionalString(req, 'field');
    if (field !== '' && !(COMMENT_SEARCH_FIELDS as readonly string[]).includes(field)) {
      throw new ValidationError('invalid-body', msg('must-be-one-of', { name: 'field', values: COMMENT_SEARCH_FIELDS.join(', ') }), 'field');
    }
    const found = await deps.store.comments.search(
      { q, field: field === '' ? undefined : (field as CommentSearchField), status: rawStatus === '' ? undefined : statusParam(rawStatus) },
      page,
    );
    res.json({ comments: await listJson(found) });
  });

  router.get('/counts', async (_req, res) => {
    res.json(await deps.store.comments.countByStatus());
  });

  // Declared before /comments/:id so "bulk" is never read as an id.
  router.post('/comments/bulk', body, async (req, res) => {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const action = actionParam(fields.action);
    const outcomes = await moderateMany(deps.moderate, parseBulkIds(fields.ids), action);
    res.json({
      action,
      succeeded: outcomes.filter((o) => o.ok).length,
      failed: outcomes.filter((o) => !o.ok).length,
      results: outcomes.map((o) => {
        if (!o.ok) return { id: o.id, ok: false, error: { code: o.error.code, message: o.error.message } };
        if (o.result.kind === 'deleted') return { id: o.id, ok: true, deleted: true, placeholder: o.result.placeholder };
        return { id: o.id, ok: true, status: o.result.comment.status };
      }),
    });
  });

  router.post('/comments/:id', body, async (req, res) => {
    const id = idParam(req);
    const action = actionParam((req.body as { action?: unknown } | undefined)?.action);
    const result = await deps.moderate(id, action);
    if (result.kind === 'deleted') res.json({ id, deleted: true, placeholder: result.placeholder });
    else res.json(json(result.comment));
  });

  // Every linkback attempt and its outcome, newest first: why a ping was refused is never a mystery.
  router.get('/linkbacks', async (req, res) => {
    const entries = await deps.store.linkbackLog.list(pageParams(req));
    res.json({
      attempts: entries.map((e) => ({
        id: e.id, type: e.kind, source: e.source, target: e.target, outcome: e.outcome, reason: e.reason,
        ip: e.ip, comment_id: e.commentId, created: e.created.toISOString(),
      })),
    });
  });

  router.get('/threads', async (req, res) => {
    const q = optionalString(req, 'q').trim().slice(0, MAX_QUERY_LENGTH);
    const threads = await deps.store.threads.list({ ...pageParams(req), q: q === '' ? undefined : q });
    res.json({ threads: threads.map(threadJson) });
  });

  // Close or reopen one thread to comments and/or linkbacks; takes effect for existing posts at once.
  // By target (the thread is created if new) or by id (404 when unknown).
  router.post('/threads', body, async (req, res) => {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const target = resolveTarget(fields.target, deps.sites);
    const thread = await deps.store.threads.ensure(target, new Date());
    res.json(await setClosed(thread.id, fields));
  });

  router.post('/threads/:id', body, async (req, res) => {
    const thread = await deps.store.threads.findById(idParam(req));
    if (!thread) throw new NotFoundError('no-such-thread');
    res.json(await setClosed(thread.id, (req.body ?? {}) as Record<string, unknown>));
  });

  router.get('/settings/blocked-words', async (_req, res) => {
    res.json(await deps.blockedWords.current());
  });

  router.put('/settings/blocked-words', body, async (req, res) => {
    res.json(await deps.blockedWords.replace((req.body as { words?: unknown } | undefined)?.words));
  });

  async function setClosed(id: number, fields: Record<string, unknown>) {
    const flag = (name: string): boolean | undefined => {
      const v = fields[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'boolean') throw new ValidationError('invalid-body', msg('must-be-boolean', { name }), name);
      return v;
    };
    const what = { comments: flag('comments_closed'), linkbacks: flag('linkbacks_closed') };
    await deps.store.threads.setClosed(id, what);
    const updated = (await deps.store.threads.findById(id))!;
    return { id: updated.id, target: updated.target, comments_closed: updated.commentsClosed, linkbacks_closed: updated.linkbacksClosed };
  }

  return router;
}

function threadJson(t: ThreadSummary | Thread) {
  return {
    id: t.id, target: t.target, title: t.title, comments_closed: t.commentsClosed, linkbacks_closed: t.linkbacksClosed,
    created: t.created.toISOString(), ...('counts' in t ? { counts: t.counts } : {}),
  };
}

function optionalString(req: Request, name: string): string {
  const v = req.query[name];
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new ValidationError('invalid-body', msg('must-be-given-once', { name }), name);
  return v;
}

function statusParam(value: string): CommentStatus {
  if (!(COMMENT_STATUSES as readonly string[]).includes(value)) {
    throw new ValidationError('invalid-body', msg('must-be-one-of', { name: 'status', values: COMMENT_STATUSES.join(', ') }), 'status');
  }
  return value as CommentStatus;
}

function actionParam(value: unknown): ModerationAction {
  if (typeof value !== 'string' || !(MODERATION_ACTIONS as readonly string[]).includes(value)) {
    throw new ValidationError('invalid-body', msg('must-be-one-of', { name: 'action', values: MODERATION_ACTIONS.join(', ') }), 'action');
  }
  return value as ModerationAction;
}

function pageParams(req: Request): { limit: number; before?: number } {
  const limit = Math.min(Math.max(Number(req.query.limit) || 100, 1), 500);
  const before = Number(req.query.before) || undefined;
  return { limit, before };
}

import type pg from 'pg';
import type { Comment, CommentStatus, NewComment } from '../../domain/comment.js';
import type { CommentEdit, CommentRepository, CommentSearch, InsertResult, LinkbackUpdate } from '../repository.js';
import { bodyHash, COMMENT_COLUMNS, toComment, type CommentRow } from '../rows/comment-row.js';
import { transaction } from './open-postgres.js';
import { countByStatus, searchComments } from './pg-admin-queries.js';

const FROM = `FROM comments c JOIN threads t ON t.id = c.thread_id`;

type Queryable = pg.Pool | pg.PoolClient;

export class PgCommentRepository implements CommentRepository {
  constructor(private readonly pool: pg.Pool) {}

  async insert(c: NewComment): Promise<InsertResult> {
    // ON CONFLICT against the partial unique index decides duplicates inside PostgreSQL, so two
    // instances receiving the same ping at the same moment still store one row.
    const inserted = await this.pool.query<{ id: number }>({
      name: 'comments-insert',
      text: `INSERT INTO comments (thread_id, parent_id, kind, status, author, email, url, body_html, body_raw,
          source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, created_at, body_hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
        ON CONFLICT (thread_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
        RETURNING id`,
      values: [c.threadId, c.parent, c.kind, c.status, c.author, c.email, c.url, c.bodyHtml, c.bodyRaw, c.source,
        c.sourceKey, c.title, c.mentionType, c.authorPhoto, c.ip, c.userAgent, JSON.stringify(c.reasons), c.editTokenHash,
        c.created.getTime(), bodyHash(c.bodyRaw)],
    });
    const id = inserted.rows[0]?.id;
    if (id !== undefined) return { kind: 'inserted', comment: (await this.get(this.pool, id))! };
    const existing = c.sourceKey === null ? undefined : await this.findLinkback(c.threadId, c.sourceKey);
    if (!existing) throw new Error(`linkback insert conflicted but no row was found for thread ${c.threadId}`);
    return { kind: 'duplicate-linkback', existing };
  }

  findById(id: number): Promise<Comment | undefined> {
    return this.get(this.pool, id);
  }

  async listVisible(threadId: number): Promise<Comment[]> {
    const result = await this.pool.query<CommentRow>({
      name: 'comments-visible',
      text: `SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = $1 AND c.status = 'approved'
          AND (NOT c.deleted OR EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved'))
        ORDER BY c.id`,
      values: [threadId],
    });
    return result.rows.map(toComment);
  }

  async countVisible(targets: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (targets.length === 0) return counts;
    const result = await this.pool.query<{ target: string; n: number }>({
      name: 'comments-count-visible',
      text: `SELECT t.target, count(c.id) AS n FROM threads t
          LEFT JOIN comments c ON c.thread_id = t.id AND c.status = 'approved' AND NOT c.deleted
        WHERE t.target = ANY($1::text[]) GROUP BY t.id, t.target`,
      values: [[...new Set(targets)]],
    });
    for (const row of result.rows) counts.set(row.target, row.n);
    return counts;
  }

  async threadVersions(targets: readonly string[]): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    if (targets.length === 0) return versions;
    const result = await this.pool.query<{ target: string; id: number; created_at: number; version: number }>({
      name: 'threads-versions',
      text: `SELECT target, id, created_at, version FROM threads WHERE target = ANY($1::text[])`,
      values: [[...new Set(targets)]],
    });
    // The same tag shape as SQLite's: id and creation time too, since a deleted thread's target can come back.
    for (const r of result.rows) versions.set(r.target, `${r.id}.${r.created_at.toString(36)}.${r.version}`);
    return versions;
  }

  countByStatus(): Promise<Record<CommentStatus, number>> {
    return countByStatus(this.pool);
  }

  search(query: CommentSearch, page: { limit: number; before?: number }): Promise<Comment[]> {
    return searchComments(this.pool, query, page);
  }

  async listByStatus(status: CommentStatus, page: { limit: number; before?: number }): Promise<Comment[]> {
    const result = await this.pool.query<CommentRow>({
      name: 'comments-by-status',
      text: `SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.status = $1 AND c.id < $2 ORDER BY c.id DESC LIMIT $3`,
      values: [status, page.before ?? Number.MAX_SAFE_INTEGER, page.limit],
    });
    return result.rows.map(toComment);
  }

  async findLinkback(threadId: number, sourceKey: string): Promise<Comment | undefined> {
    const result = await this.pool.query<CommentRow>({
      name: 'comments-linkback',
      text: `SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = $1 AND c.source_key = $2`,
      values: [threadId, sourceKey],
    });
    return result.rows[0] && toComment(result.rows[0]);
  }

  async hasSameBody(threadId: number, author: string, email: string, bodyRaw: string): Promise<boolean> {
    // No hash (NULL, or '' in rows `backtalk migrate` copied from a SQLite database older than schema v4):
    // compared in full, as SQLite does.
    const result = await this.pool.query({
      name: 'comments-same-body',
      text: `SELECT 1 FROM comments WHERE thread_id = $1 AND (body_hash = $5 OR body_hash IS NULL OR body_hash = '') AND body_raw = $4 AND status <> 'trash' AND NOT deleted
          AND (CASE WHEN $3 <> '' THEN email = $3 ELSE author = $2 END) LIMIT 1`,
      values: [threadId, author, email, bodyRaw, bodyHash(bodyRaw)],
    });
    return result.rowCount !== 0;
  }

  async hasApprovedFrom(email: string, author: string): Promise<boolean> {
    const result = await this.pool.query({
      name: 'comments-approved-from',
      text: `SELECT 1 FROM comments WHERE status = 'approved' AND NOT deleted
          AND $1 <> '' AND email = $1 AND author = $2 LIMIT 1`,
      values: [email, author],
    });
    return result.rowCount !== 0;
  }

  async edit(id: number, e: CommentEdit): Promise<Comment | undefined> {
    await this.pool.query({
      name: 'comments-edit',
      text: `UPDATE comments SET author = $2, url = $3, body_raw = $4, body_html = $5, status = $6, reasons = $7, edited_at = $8,
          body_hash = $9 WHERE id = $1 AND NOT deleted`,
      values: [id, e.author, e.url, e.bodyRaw, e.bodyHtml, e.status, JSON.stringify(e.reasons), e.edited.getTime(), bodyHash(e.bodyRaw)],
    });
    return this.get(this.pool, id);
  }

  async setStatus(id: number, status: CommentStatus): Promise<Comment | undefined> {
    await this.pool.query({ name: 'comments-set-status', text: `UPDATE comments SET status = $2 WHERE id = $1`, values: [id, status] });
    return this.get(this.pool, id);
  }

  async updateLinkback(id: number, u: LinkbackUpdate): Promise<Comment | undefined> {
    await this.pool.query({
      name: 'comments-update-linkback',
      text: `UPDATE comments SET author = $2, url = $3, title = $4, body_raw = $5, body_html = $6, mention_type = $7,
          author_photo = $8, edited_at = $9, body_hash = $10, status = $11, reasons = $12 WHERE id = $1 AND source_key IS NOT NULL`,
      values: [id, u.author, u.url, u.title, u.bodyRaw, u.bodyHtml, u.mentionType, u.authorPhoto, u.edited.getTime(), bodyHash(u.bodyRaw),
        u.status, JSON.stringify(u.reasons)],
    });
    return this.get(this.pool, id);
  }

  remove(id: number): Promise<'removed' | 'placeholder' | 'missing'> {
    return transaction(this.pool, async (client) => {
      // The row lock keeps a reply arriving meanwhile from losing its parent between check and delete.
      const found = await client.query('SELECT 1 FROM comments WHERE id = $1 FOR UPDATE', [id]);
      if (found.rowCount === 0) return 'missing';
      const replies = await client.query('SELECT 1 FROM comments WHERE parent_id = $1 LIMIT 1', [id]);
      if (replies.rowCount !== 0) {
        await client.query(
          `UPDATE comments SET deleted = true, author = '', email = '', url = '', body_html = '', body_raw = '',
            body_hash = NULL, author_photo = NULL, edit_token_hash = NULL, ip = '', user_agent = '' WHERE id = $1`,
          [id],
        );
        return 'placeholder';
      }
      await client.query('DELETE FROM comments WHERE id = $1', [id]);
      return 'removed';
    });
  }

  private async get(db: Queryable, id: number): Promise<Comment | undefined> {
    const result = await db.query<CommentRow>({ name: 'comments-by-id', text: `SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.id = $1`, values: [id] });
    return result.rows[0] && toComment(result.rows[0]);
  }
}

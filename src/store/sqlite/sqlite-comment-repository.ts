import type { Comment, CommentStatus, NewComment } from '../../domain/comment.js';
import type { CommentEdit, CommentRepository, CommentSearch, InsertResult, LinkbackUpdate } from '../repository.js';
import { SqliteAdminQueries } from './sqlite-admin-queries.js';
import { COMMENT_COLUMNS, toComment, toInsertParams, type CommentRow } from './comment-row.js';
import type { SqliteDatabase } from './open-sqlite.js';

const FROM = `FROM comments c JOIN threads t ON t.id = c.thread_id`;

export class SqliteCommentRepository implements CommentRepository {
  private readonly stmts;
  private readonly admin: SqliteAdminQueries;

  constructor(private readonly db: SqliteDatabase) {
    this.admin = new SqliteAdminQueries(db);
    this.stmts = {
      insert: db.prepare(`INSERT INTO comments (thread_id, parent_id, kind, status, author, email, url, body_html,
          body_raw, source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, created_at)
        VALUES (@thread_id, @parent_id, @kind, @status, @author, @email, @url, @body_html, @body_raw, @source_url,
          @source_key, @title, @mention_type, @author_photo, @ip, @user_agent, @reasons, @edit_token_hash, @created_at)`),
      byId: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.id = ?`),
      visible: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = ? AND c.status = 'approved'
          AND (c.deleted = 0 OR EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved'))
        ORDER BY c.id`),
      byStatus: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.status = ? AND c.id < ? ORDER BY c.id DESC LIMIT ?`),
      linkback: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = ? AND c.source_key = ?`),
      sameBody: db.prepare(`SELECT 1 FROM comments WHERE thread_id = @thread_id AND body_raw = @body_raw
          AND status <> 'trash' AND deleted = 0 AND (CASE WHEN @email <> '' THEN email = @email ELSE author = @author END) LIMIT 1`),
      approvedFrom: db.prepare(`SELECT 1 FROM comments WHERE status = 'approved' AND deleted = 0
          AND (CASE WHEN @email <> '' THEN email = @email ELSE (email = '' AND author = @author AND author <> '') END) LIMIT 1`),
      edit: db.prepare(`UPDATE comments SET author = @author, url = @url, body_raw = @body_raw, body_html = @body_html,
          status = @status, reasons = @reasons, edited_at = @edited_at WHERE id = @id AND deleted = 0`),
      setStatus: db.prepare(`UPDATE comments SET status = ? WHERE id = ?`),
      updateLinkback: db.prepare(`UPDATE comments SET author = @author, url = @url, title = @title, body_raw = @body_raw,
          body_html = @body_html, mention_type = @mention_type, author_photo = @author_photo, edited_at = @edited_at
        WHERE id = @id AND source_key IS NOT NULL`),
      hasReplies: db.prepare(`SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1`),
      placeholder: db.prepare(`UPDATE comments SET deleted = 1, author = '', email = '', url = '', body_html = '',
          body_raw = '', author_photo = NULL, edit_token_hash = NULL, ip = '', user_agent = '' WHERE id = ?`),
      delete: db.prepare(`DELETE FROM comments WHERE id = ?`),
    };
  }

  async insert(comment: NewComment): Promise<InsertResult> {
    try {
      const info = this.stmts.insert.run(toInsertParams(comment));
      return { kind: 'inserted', comment: this.get(Number(info.lastInsertRowid))! };
    } catch (err) {
      // The partial unique index on (thread_id, source_key) decides duplicates atomically, so two
      // identical pings arriving together still store one row.
      if (comment.sourceKey !== null && isUniqueViolation(err)) {
        const existing = this.stmts.linkback.get(comment.threadId, comment.sourceKey) as CommentRow | undefined;
        if (existing) return { kind: 'duplicate-linkback', existing: toComment(existing) };
      }
      throw err;
    }
  }

  async findById(id: number): Promise<Comment | undefined> {
    return this.get(id);
  }

  async listVisible(threadId: number): Promise<Comment[]> {
    return (this.stmts.visible.all(threadId) as CommentRow[]).map(toComment);
  }

  async countVisible(targets: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (targets.length === 0) return counts;
    const unique = [...new Set(targets)];
    const placeholders = unique.map(() => '?').join(',');
    const rows = this.db
      .prepare(`SELECT t.target AS target, count(c.id) AS n FROM threads t
          LEFT JOIN comments c ON c.thread_id = t.id AND c.status = 'approved' AND c.deleted = 0
        WHERE t.target IN (${placeholders}) GROUP BY t.id`)
      .all(...unique) as Array<{ target: string; n: number }>;
    for (const row of rows) counts.set(row.target, row.n);
    return counts;
  }

  async listByStatus(status: CommentStatus, page: { limit: number; before?: number }): Promise<Comment[]> {
    const rows = this.stmts.byStatus.all(status, page.before ?? Number.MAX_SAFE_INTEGER, page.limit) as CommentRow[];
    return rows.map(toComment);
  }

  async countByStatus(): Promise<Record<CommentStatus, number>> {
    return this.admin.countByStatus();
  }

  async search(query: CommentSearch, page: { limit: number; before?: number }): Promise<Comment[]> {
    return this.admin.search(query, page);
  }

  async findLinkback(threadId: number, sourceKey: string): Promise<Comment | undefined> {
    const row = this.stmts.linkback.get(threadId, sourceKey) as CommentRow | undefined;
    return row && toComment(row);
  }

  async hasSameBody(threadId: number, author: string, email: string, bodyRaw: string): Promise<boolean> {
    return this.stmts.sameBody.get({ thread_id: threadId, author, email, body_raw: bodyRaw }) !== undefined;
  }

  async hasApprovedFrom(email: string, author: string): Promise<boolean> {
    return this.stmts.approvedFrom.get({ email, author }) !== undefined;
  }

  async edit(id: number, edit: CommentEdit): Promise<Comment | undefined> {
    this.stmts.edit.run({
      id,
      author: edit.author,
      url: edit.url,
      body_raw: edit.bodyRaw,
      body_html: edit.bodyHtml,
      status: edit.status,
      reasons: JSON.stringify(edit.reasons),
      edited_at: edit.edited.getTime(),
    });
    return this.get(id);
  }

  async setStatus(id: number, status: CommentStatus): Promise<Comment | undefined> {
    this.stmts.setStatus.run(status, id);
    return this.get(id);
  }

  async updateLinkback(id: number, u: LinkbackUpdate): Promise<Comment | undefined> {
    this.stmts.updateLinkback.run({
      id, author: u.author, url: u.url, title: u.title, body_raw: u.bodyRaw, body_html: u.bodyHtml,
      mention_type: u.mentionType, author_photo: u.authorPhoto, edited_at: u.edited.getTime(),
    });
    return this.get(id);
  }

  async remove(id: number): Promise<'removed' | 'placeholder' | 'missing'> {
    return this.db.transaction((): 'removed' | 'placeholder' | 'missing' => {
      if (!this.stmts.byId.get(id)) return 'missing';
      if (this.stmts.hasReplies.get(id)) {
        this.stmts.placeholder.run(id);
        return 'placeholder';
      }
      this.stmts.delete.run(id);
      return 'removed';
    })();
  }

  private get(id: number): Comment | undefined {
    const row = this.stmts.byId.get(id) as CommentRow | undefined;
    return row && toComment(row);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

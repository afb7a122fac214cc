import type { Comment, CommentStatus, NewComment } from '../../domain/comment.js';
import type { CommentEdit, CommentRepository, CommentSearch, InsertResult, LinkbackUpdate } from '../repository.js';
import { SqliteAdminQueries } from './sqlite-admin-queries.js';
import { bodyHash, COMMENT_COLUMNS, toComment, toInsertParams, type CommentRow } from '../rows/comment-row.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from './open-sqlite.js';

const FROM = `FROM comments c JOIN threads t ON t.id = c.thread_id`;

type Statement = BetterSqlite3.Statement<unknown[]>;

export class SqliteCommentRepository implements CommentRepository {
  private readonly stmts;
  private readonly countStmts = new Map<number, Statement>();
  private readonly versionStmts = new Map<number, Statement>();
  constructor(private readonly db: SqliteDatabase, private readonly admin: SqliteAdminQueries) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO comments (thread_id, parent_id, kind, status, author, email, url, body_html,
          body_raw, source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, created_at, body_hash)
        VALUES (@thread_id, @parent_id, @kind, @status, @author, @email, @url, @body_html, @body_raw, @source_url,
          @source_key, @title, @mention_type, @author_photo, @ip, @user_agent, @reasons, @edit_token_hash, @created_at, @body_hash)`),
      byId: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.id = ?`),
      visible: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = ? AND c.status = 'approved'
          AND (c.deleted = 0 OR EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved'))
        ORDER BY c.id`),
      byStatus: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.status = ? AND c.id < ? ORDER BY c.id DESC LIMIT ?`),
      linkback: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = ? AND c.source_key = ?`),
      // body_hash '': rows stored before schema v4 have no hash and are compared in full.
      sameBody: db.prepare(`SELECT 1 FROM comments WHERE thread_id = @thread_id AND body_hash IN (@body_hash, '')
          AND body_raw = @body_raw AND status <> 'trash' AND deleted = 0
          AND (CASE WHEN @email <> '' THEN email = @email ELSE author = @author END) LIMIT 1`),
      // WordPress's rule (issue 14.2): name and e-mail both match; without an e-mail nobody is trusted.
      approvedFrom: db.prepare(`SELECT 1 FROM comments WHERE status = 'approved' AND deleted = 0
          AND @email <> '' AND email = @email AND author = @author LIMIT 1`),
      edit: db.prepare(`UPDATE comments SET author = @author, url = @url, body_raw = @body_raw, body_hash = @body_hash, body_html = @body_html,
          status = @status, reasons = @reasons, edited_at = @edited_at WHERE id = @id AND deleted = 0`),
      setStatus: db.prepare(`UPDATE comments SET status = ? WHERE id = ?`),
      updateLinkback: db.prepare(`UPDATE comments SET author = @author, url = @url, title = @title, body_raw = @body_raw,
          body_hash = @body_hash, body_html = @body_html, mention_type = @mention_type, author_photo = @author_photo, edited_at = @edited_at,
          status = @status, reasons = @reasons
        WHERE id = @id AND source_key IS NOT NULL`),
      // id and created_at too: a deleted thread's id can be reused, and its version starts again at 0.
      versionOne: db.prepare(`SELECT id || '.' || created_at || '.' || version FROM threads WHERE target = ?`).pluck(),
      hasReplies: db.prepare(`SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1`),
      placeholder: db.prepare(`UPDATE comments SET deleted = 1, author = '', email = '', url = '', body_html = '',
          body_raw = '', body_hash = '', author_photo = NULL, edit_token_hash = NULL, ip = '', user_agent = '' WHERE id = ?`),
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
    // The count comes from the partial index comments_visible_count alone (no comment rows read).
    const rows = this.byArity(this.countStmts, unique.length, (placeholders) => `SELECT t.target AS target,
        (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'approved' AND c.deleted = 0) AS n
      FROM threads t WHERE t.target IN (${placeholders})`).all(...unique) as Array<{ target: string; n: number }>;
    for (const row of rows) counts.set(row.target, row.n);
    return counts;
  }

  async threadVersions(targets: readonly string[]): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    if (targets.length === 0) return versions;
    if (targets.length === 1) {
      // The hot path of every conditional GET: one prepared statement, the tag built by SQLite.
      const tag = this.stmts.versionOne.get(targets[0]) as string | undefined;
      if (tag !== undefined) versions.set(targets[0]!, tag);
      return versions;
    }
    const unique = [...new Set(targets)];
    const rows = this.byArity(this.versionStmts, unique.length, (placeholders) =>
      `SELECT target, id, created_at, version FROM threads WHERE target IN (${placeholders})`)
      .raw().all(...unique) as Array<[string, number, number, number]>;
    // id and created_at too: a deleted thread's id can be reused, and its version starts again at 0.
    for (const [target, id, created, version] of rows) versions.set(target, `${id}.${created}.${version}`);
    return versions;
  }

  /** One prepared statement per number of `?` placeholders, made on first use. */
  private byArity(cache: Map<number, Statement>, n: number, sql: (placeholders: string) => string): Statement {
    let stmt = cache.get(n);
    if (!stmt) {
      stmt = this.db.prepare(sql(Array.from({ length: n }, () => '?').join(',')));
      cache.set(n, stmt);
    }
    return stmt;
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
    return this.stmts.sameBody.get({ thread_id: threadId, author, email, body_raw: bodyRaw, body_hash: bodyHash(bodyRaw) }) !== undefined;
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
      body_hash: bodyHash(edit.bodyRaw),
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
      id, author: u.author, url: u.url, title: u.title, body_raw: u.bodyRaw, body_hash: bodyHash(u.bodyRaw), body_html: u.bodyHtml,
      mention_type: u.mentionType, author_photo: u.authorPhoto, edited_at: u.edited.getTime(),
      status: u.status, reasons: JSON.stringify(u.reasons),
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

/**
 * One import as one transaction, for both databases: a parse error halfway through rolls everything
 * back, and nobody sees a half import. Parents are linked at the end through a temporary table of
 * (key, parent key) pairs, so a reply may come before its parent (Disqus does that) and nothing but
 * the database holds the pairs: memory stays flat however large the file.
 */
import type { Insertable } from 'kysely';
import type { ImportCounts, ImportSession, TransferComment, TransferThread } from './repository.js';
import { bodyHash } from './rows/comment-row.js';
import type { CommentsTable } from './sql/schema-types.js';
import { beginSession, type SqlSession } from './sql/sql-session.js';
import type { SqlRunner } from './sql/sql-runner.js';

/** Comments per INSERT: 23 parameters each, well under either database's limit (SQLite 32766). */
const ROWS = 500;

/** A type alias, not an interface: Kysely's withTables wants an indexable record. */
type ImportTables = {
  import_parents: { key: string; parent_key: string };
};

export class SqlImportSession implements ImportSession {
  private readonly totals: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
  private open = true;
  /** Thread ids by target, so a file's many comments per post cost one lookup per post (threads are never deleted). */
  private readonly threadIds = new Map<string, number>();

  private constructor(private readonly tx: SqlSession) {}

  static async begin(runner: SqlRunner): Promise<SqlImportSession> {
    const tx = await beginSession(runner, 'write');
    try {
      const db = tx.db.withTables<ImportTables>();
      await tx.run(db.schema.createTable('import_parents').temporary().ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey()).addColumn('parent_key', 'text', (c) => c.notNull()));
      await tx.run(db.deleteFrom('import_parents'));
    } catch (err) {
      await tx.rollback();
      throw err;
    }
    return new SqlImportSession(tx);
  }

  private get db() {
    return this.tx.db.withTables<ImportTables>();
  }

  async importBatch(batch: { threads: readonly TransferThread[]; comments: readonly TransferComment[] }): Promise<ImportCounts> {
    this.assertOpen();
    const { tx, db } = this;
    const counts: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
    for (const t of batch.threads) {
      counts.threads += await tx.run(db.insertInto('threads').values({
        target: t.target, title: t.title, comments_closed: t.commentsClosed, linkbacks_closed: t.linkbacksClosed, created_at: t.created.getTime(),
      }).onConflict((oc) => oc.column('target').doNothing()));
      // An existing thread keeps its flags but gains a title it lacked.
      if (t.title !== null) await tx.run(db.updateTable('threads').set({ title: t.title }).where('target', '=', t.target).where('title', 'is', null));
    }
    // One statement per ROWS comments rather than one per comment (a round trip each on PostgreSQL).
    for (let i = 0; i < batch.comments.length; i += ROWS) {
      const part = batch.comments.slice(i, i + ROWS);
      const rows = [];
      for (const c of part) rows.push(await this.toRow(c, counts));
      // DO NOTHING on any unique index: a key imported before (or twice in the file), or a second
      // linkback from one source to one post, is skipped. RETURNING names the rows that went in.
      const inserted = new Set((await tx.all(db.insertInto('comments').values(rows).onConflict((oc) => oc.doNothing())
        .returning('import_key'))).map((r) => r.import_key));
      counts.comments += inserted.size;
      counts.skipped += part.length - inserted.size;
      const parents: Array<{ key: string; parent_key: string }> = [];
      for (const c of part) {
        // delete: of a key twice in the file, the first went in.
        if (inserted.delete(c.key) && c.parentKey !== null) parents.push({ key: c.key, parent_key: c.parentKey });
      }
      if (parents.length > 0) await tx.run(db.insertInto('import_parents').values(parents));
    }
    this.totals.threads += counts.threads;
    this.totals.comments += counts.comments;
    this.totals.skipped += counts.skipped;
    return counts;
  }

  private async toRow(c: TransferComment, counts: ImportCounts): Promise<Insertable<CommentsTable>> {
    return {
      thread_id: await this.threadId(c.target, c.created, counts), kind: c.kind, status: c.status,
      author: c.author, email: c.email, url: c.url, body_html: c.bodyHtml, body_raw: c.bodyRaw, body_hash: bodyHash(c.bodyRaw),
      source_url: c.source, source_key: c.sourceKey, title: c.title, mention_type: c.mentionType, author_photo: c.authorPhoto,
      ip: c.ip, user_agent: c.userAgent, reasons: JSON.stringify(c.reasons), edit_token_hash: c.editTokenHash, deleted: c.deleted,
      created_at: c.created.getTime(), edited_at: c.edited?.getTime() ?? null, import_key: c.key,
      likes: c.likes ?? 0, dislikes: c.dislikes ?? 0,
    };
  }

  /** The thread of `target`, made at the comment's time when the file did not list it. */
  private async threadId(target: string, created: Date, counts: ImportCounts): Promise<number> {
    const known = this.threadIds.get(target);
    if (known !== undefined) return known;
    const find = this.db.selectFrom('threads').select('id').where('target', '=', target);
    let row = await this.tx.first(find);
    if (!row) {
      // ON CONFLICT: a running PostgreSQL instance may create the same thread meanwhile.
      counts.threads += await this.tx.run(this.db.insertInto('threads').values({ target, created_at: created.getTime() })
        .onConflict((oc) => oc.column('target').doNothing()));
      row = (await this.tx.first(find))!;
    }
    this.threadIds.set(target, row.id);
    return row.id;
  }

  async commit(): Promise<ImportCounts> {
    this.assertOpen();
    const { tx, db } = this;
    try {
      // A parent missing from the file (or from the database) leaves the reply top-level.
      await tx.run(db.updateTable('comments')
        .set((eb) => ({
          parent_id: eb.selectFrom('import_parents as ip').innerJoin('comments as p', 'p.import_key', 'ip.parent_key')
            .select('p.id').whereRef('ip.key', '=', 'comments.import_key'),
        }))
        .where('import_key', 'in', db.selectFrom('import_parents').select('key')));
      await tx.run(db.schema.dropTable('import_parents'));
      await tx.commit();
      this.open = false;
    } catch (err) {
      await this.rollback();
      throw err;
    }
    return { ...this.totals };
  }

  async rollback(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.tx.rollback();
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('this import has already finished');
  }
}

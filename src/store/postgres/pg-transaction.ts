/**
 * Transactions on one pooled PostgreSQL connection. Apart from open-postgres.ts (which loads the pg
 * driver itself) so that the code that runs them can be imported by a SQLite server without pg
 * being loaded (some 3 MiB of heap it would never use).
 */
import type pg from 'pg';

/** Marks a connection whose ROLLBACK failed: it must not go back to the pool. */
class BrokenConnection extends Error {}

export async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The original error is the one worth reporting; the connection is discarded by the caller.
      throw new BrokenConnection(err instanceof Error ? err.message : String(err), { cause: err });
    }
    throw err;
  }
}

/** Runs `work` in one transaction on one pooled connection. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    return await inTransaction(client, () => work(client));
  } catch (err) {
    if (err instanceof BrokenConnection) {
      broken = true;
      throw err.cause;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * A yes/no column as each backend hands it back: SQLite has no boolean type and returns the 0/1
 * INTEGER it stores; PostgreSQL returns BOOLEAN columns as JavaScript booleans. The row shapes in
 * this folder accept either, so one mapper serves both backends.
 */
export type DbFlag = number | boolean;

/** SQLite's 1 or PostgreSQL's true (exactly what each backend's own mapper tested before). */
export function isSet(flag: DbFlag): boolean {
  return flag === true || flag === 1;
}

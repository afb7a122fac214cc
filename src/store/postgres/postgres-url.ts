/**
 * What a PostgreSQL URL looks like, without loading the driver: a SQLite server never imports `pg`
 * (about 5 MiB of resident memory it would never use; docs/benchmarks.md, RSS after load).
 */

/** A BACKTALK_DB value that selects PostgreSQL rather than a SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** The URL with its password hidden, for logs and the start-up line. */
export function redactPostgresUrl(url: string): string {
  // By pattern rather than with URL(): libpq URLs may have an empty host (socket in ?host=…).
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
}

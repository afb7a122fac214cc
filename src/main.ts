/** Process entry: config, database, HTTP server, graceful shutdown. The only module with side effects on import. */
import { runServer } from './server.js';

runServer(process.env).catch((err: unknown) => {
  process.stderr.write(`backtalk: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

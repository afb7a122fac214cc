// Imports every test file named on the command line into this one process, in order; node:test
// runs the suites they declare as they are registered. Used by `npm run test:fast` (run-tests.mjs).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

for (const file of process.argv.slice(2)) await import(pathToFileURL(resolve(file)).href);

/**
 * Identical pings racing each other (protocols.md §3.1 step 9: WordPress's check-then-sleep-then-insert
 * lets two concurrent pings both pass its duplicate check). The source answers slowly, so all ten
 * requests are inside the server at the same time: exactly one may be stored, and every other sender
 * must hear "already registered" (48), not an error of ours.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FAULT, POST, PRIVATE_FETCH, allRows, expectPingAccepted, expectValue, getPingbacks, linkingPage, ping, plain, withServer, type XmlRpcAnswer,
} from './support.js';
import { useSourceServer } from '../helpers/fixtures.js';

const source = useSourceServer();

describe('10 identical pings at once', () => {
  it('store exactly one pingback; the other nine get fault 48', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      source.set('/race', { ...linkingPage(POST, 'Racing'), delayMs: 300 });
      const from = source.url('/race');
      const answers: XmlRpcAnswer[] = await Promise.all(Array.from({ length: 10 }, () => ping(server, from)));

      const accepted = answers.filter((a) => a.kind === 'value');
      const codes = answers.flatMap((a) => (a.kind === 'fault' ? [`${a.fault.faultCode} ${a.fault.faultString}`] : []));
      assert.equal(accepted.length, 1, `one success, got ${accepted.length}; faults: ${JSON.stringify(codes)}`);
      expectPingAccepted(accepted[0]!);
      assert.deepEqual(
        answers.filter((a) => a.kind === 'fault').map((a) => (a.kind === 'fault' ? a.fault.faultCode : NaN)),
        Array(9).fill(FAULT.alreadyRegistered),
        `every other ping is a duplicate: ${JSON.stringify(codes)}`,
      );

      const rows = (await allRows(server)).filter((r) => r.type === 'pingback');
      assert.equal(rows.length, 1, `stored rows: ${rows.length}`);
      assert.deepEqual(plain(expectValue(await getPingbacks(server))), [from]);
    });
  });
});

/**
 * Character encodings of the XML-RPC body (protocols.md §5.2, table 7.2 P33): the `encoding` of the
 * XML declaration is honoured, so an ISO-8859-1 body carrying byte 0xE9 means `é` (node-xmlrpc alone
 * reads every body as UTF-8 and turns it into U+FFFD). Checked through the thread a target names:
 * `/café/` written in Latin-1 must find the thread that a UTF-8 ping created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { TestServer } from '../helpers/test-server.js';
import { startTestServer } from '../helpers/test-server.js';
import {
  FAULT, PRIVATE_FETCH, SITE, expectFault, expectPingAccepted, expectValue, linkingSource, methodCall, ping, plain, postXmlRpc, readAnswer,
  startSourceServer, type SourceServer,
} from './support.js';

const CAFE = `${SITE}/caf\u00e9/`;
const CAFE_ENCODED = `${SITE}/caf%C3%A9/`;

let source: SourceServer;
let server: TestServer;
let from: string;
before(async () => {
  source = await startSourceServer();
  server = await startTestServer(PRIVATE_FETCH);
  from = linkingSource(source, '/cafe', CAFE_ENCODED, 'Café');
  expectPingAccepted(await ping(server, from, CAFE_ENCODED));
});
after(async () => {
  await server?.close();
  await source?.close();
});

/** A call whose text is written in `charset`, declared in the XML prolog. */
function encodedCall(charset: string, name: string, target: string, encoder: (text: string) => Buffer): Buffer {
  const xml = methodCall(name, [target]).replace('<?xml version="1.0"?>', `<?xml version="1.0" encoding="${charset}"?>`);
  return encoder(xml);
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('the XML declaration encoding', () => {
  it('ISO-8859-1: byte 0xE9 in the target is é, so getPingbacks finds the post', async () => {
    const body = encodedCall('ISO-8859-1', 'pingback.extensions.getPingbacks', CAFE, latin1);
    assert.ok(body.includes(0xe9) && !body.includes(Buffer.from('é', 'utf8')), 'the body carries a Latin-1 é');
    const answer = readAnswer(await postXmlRpc(server, body, { 'content-type': 'text/xml' }));
    assert.deepEqual(plain(expectValue(answer, 'Latin-1 target')), [from]);
  });

  it('ISO-8859-1 pingback.ping of the same source and post is a duplicate (48), not a new thread', async () => {
    const xml = methodCall('pingback.ping', [from, CAFE]).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="iso-8859-1"?>');
    expectFault(readAnswer(await postXmlRpc(server, latin1(xml))), FAULT.alreadyRegistered);
  });

  it('windows-1252 is honoured too', async () => {
    const body = encodedCall('windows-1252', 'pingback.extensions.getPingbacks', CAFE, latin1);
    assert.deepEqual(plain(expectValue(readAnswer(await postXmlRpc(server, body)), 'windows-1252 target')), [from]);
  });

  it('UTF-8, declared or not, finds the same post', async () => {
    for (const declaration of ['', ' encoding="UTF-8"']) {
      const xml = methodCall('pingback.extensions.getPingbacks', [CAFE]).replace('<?xml version="1.0"?>', `<?xml version="1.0"${declaration}?>`);
      assert.deepEqual(plain(expectValue(readAnswer(await postXmlRpc(server, Buffer.from(xml, 'utf8'))), `UTF-8${declaration}`)), [from]);
    }
  });

  it('an encoding nobody knows is a fault, not a crash or a wrong thread', async () => {
    const body = encodedCall('x-no-such-charset', 'pingback.extensions.getPingbacks', CAFE, latin1);
    const answer = readAnswer(await postXmlRpc(server, body));
    assert.equal(answer.kind, 'fault', 'refused');
    const code = answer.kind === 'fault' ? answer.fault.faultCode : NaN;
    assert.ok(code === FAULT.parseError || code === -32701, `fault ${code} is a parse/encoding fault`);
  });

  it('an ISO-8859-1 pingback.ping to a new post lands on the thread UTF-8 callers name', async () => {
    const dejaVu = `${SITE}/d\u00e9j\u00e0-vu/`;
    const other = linkingSource(source, '/deja-vu', `${SITE}/d%C3%A9j%C3%A0-vu/`, 'Déjà vu');
    const xml = methodCall('pingback.ping', [other, dejaVu]).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>');
    expectPingAccepted(readAnswer(await postXmlRpc(server, latin1(xml))), 'Latin-1 ping');
    const utf8 = Buffer.from(methodCall('pingback.extensions.getPingbacks', [dejaVu]), 'utf8');
    assert.deepEqual(plain(expectValue(readAnswer(await postXmlRpc(server, utf8)), 'UTF-8 lookup')), [other]);
  });
});

/**
 * A ping as WordPress sends it: WP_HTTP_IXR_Client posts `text/xml` with the user agent
 * "The Incutio XML-RPC PHP Library -- WordPress/<version>" (protocols.md §3.6), and senders of that
 * family pretty-print the call, leaving newlines and indentation inside <methodName> and around
 * string values. WordPress's own receiver trims both (§3.3); node-xmlrpc does not (§5.2, P30).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  POST, PRIVATE_FETCH, escapeXml, expectPingAccepted, getPingbacks, expectValue, linkingSource, plain, postXmlRpc, publicItems, readAnswer,
} from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const WORDPRESS_HEADERS = {
  'content-type': 'text/xml',
  'user-agent': 'The Incutio XML-RPC PHP Library -- WordPress/6.7.1',
};

/** A pingback.ping call laid out with indentation and line breaks everywhere a pretty-printer puts them. */
function prettyPing(source: string, target: string, typed: boolean): string {
  const value = (url: string) =>
    typed
      ? `      <value>\n        <string>\n          ${escapeXml(url)}\n        </string>\n      </value>`
      : `      <value>\n        ${escapeXml(url)}\n      </value>`;
  return [
    '<?xml version="1.0"?>',
    '<methodCall>',
    '  <methodName>',
    '    pingback.ping',
    '  </methodName>',
    '  <params>',
    '    <param>',
    value(source),
    '    </param>',
    '    <param>',
    value(target),
    '    </param>',
    '  </params>',
    '</methodCall>',
    '',
  ].join('\r\n');
}

describe('a WordPress-style sender', () => {
  const { server, source } = useLinkbackServer(PRIVATE_FETCH);

  it('a pretty-printed call with <string> values is accepted, trimmed, and stored with the exact source URL', async () => {
    const from = linkingSource(source, '/wp/typed', POST, 'WordPress neighbour');
    const answer = await postXmlRpc(server, prettyPing(from, POST, true), WORDPRESS_HEADERS);
    const message = expectPingAccepted(readAnswer(answer));
    assert.ok(message.trim() !== '', 'the success string is not empty');
    assert.equal(source.hits('/wp/typed'), 1, 'the source was fetched once, at its trimmed URL');

    const stored = (await publicItems(server)).filter((c) => c.type === 'pingback');
    assert.deepEqual(stored.map((c) => c.source), [from], 'the stored source has no surrounding whitespace');
    assert.equal(stored[0]!.title, 'WordPress neighbour');
  });

  it('a pretty-printed call with untyped <value> strings is accepted too', async () => {
    const from = linkingSource(source, '/wp/untyped', POST, 'Untyped values');
    expectPingAccepted(readAnswer(await postXmlRpc(server, prettyPing(from, POST, false), WORDPRESS_HEADERS)));
    const listed = plain(expectValue(await getPingbacks(server, POST))) as string[];
    assert.ok(listed.includes(from), `getPingbacks lists ${from}: ${JSON.stringify(listed)}`);
  });
});

/**
 * The client key and the stored address of an IPv4 client are answered without ipaddr.js when the
 * address is written the usual way (src/lib/ip.ts, plainIpv4). These hold the fast answers to what
 * ipaddr.js itself makes of the same text, for the usual forms and for the odd ones that must still
 * go through it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ipaddr from 'ipaddr.js';
import { clientLimitKey, reduceIp } from '../../src/lib/ip.js';

/** What ipaddr.js alone makes of an address it accepts as IPv4 (or IPv4-mapped IPv6). */
function reference(ip: string): { key: string; reduced: string } {
  const addr = ipaddr.process(ip) as ipaddr.IPv4;
  assert.equal(addr.kind(), 'ipv4', ip);
  const [a, b, c] = addr.octets;
  return { key: addr.toString(), reduced: `${a}.${b}.${c}.0` };
}

let seed = 7;
const octet = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % 256;
};

test('canonical IPv4 addresses, alone and IPv4-mapped, get the answers ipaddr.js gives', () => {
  const addresses = ['127.0.0.1', '0.0.0.0', '255.255.255.255', '203.0.113.7', '10.0.0.255', '192.168.100.9'];
  for (let i = 0; i < 2000; i++) addresses.push([octet(), octet(), octet(), octet()].join('.'));
  for (const v4 of addresses) {
    for (const ip of [v4, `::ffff:${v4}`, `::FFFF:${v4}`]) {
      const want = reference(ip);
      assert.equal(clientLimitKey(ip), want.key, ip);
      assert.equal(reduceIp(ip), want.reduced, ip);
    }
  }
});

test('odd IPv4 spellings still go through ipaddr.js and get its answers', () => {
  for (const ip of ['010.1.2.3', '0x7f.0.0.1', '1.2.3.04', '127.1', '2130706433', '::ffff:7f00:1', '0:0:0:0:0:ffff:127.0.0.1']) {
    if (!ipaddr.isValid(ip)) continue;
    const want = reference(ip);
    assert.equal(clientLimitKey(ip), want.key, ip);
    assert.equal(reduceIp(ip), want.reduced, ip);
  }
  // The octal form is a different address than it looks: the fast path must not take it as written.
  assert.equal(clientLimitKey('010.1.2.3'), '8.1.2.3');
});

test('what is not an address, and IPv6, keep their own answers', () => {
  assert.equal(clientLimitKey('256.1.1.1'), '256.1.1.1', 'unparsable: counted as itself');
  assert.equal(reduceIp('256.1.1.1'), '');
  assert.equal(clientLimitKey('1.2.3.4.5'), '1.2.3.4.5');
  assert.equal(clientLimitKey(''), '');
  assert.equal(clientLimitKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(reduceIp('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1::');
  assert.equal(clientLimitKey('::ffff:256.1.1.1'), '::ffff:256.1.1.1');
});

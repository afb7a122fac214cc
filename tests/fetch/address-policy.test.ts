import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, it } from 'node:test';
import { AddressRefusedError, createAddressCheck, createGuardedLookup } from '../../src/fetch/address-policy.js';

describe('createAddressCheck', () => {
  const check = createAddressCheck([]);

  const refused: [string, RegExp][] = [
    ['127.0.0.1', /loopback/], ['127.255.255.254', /loopback/], ['0.0.0.0', /unspecified/], ['0.1.2.3', /unspecified/],
    ['10.0.0.5', /private/], ['172.16.0.1', /private/], ['172.31.255.255', /private/], ['192.168.1.1', /private/],
    ['169.254.169.254', /linkLocal/], ['100.64.0.1', /carrierGradeNat/], ['100.127.255.255', /carrierGradeNat/],
    ['224.0.0.1', /multicast/], ['239.255.255.250', /multicast/], ['255.255.255.255', /broadcast/],
    ['192.0.2.1', /reserved/], ['198.51.100.7', /reserved/], ['203.0.113.9', /reserved/], ['198.18.0.1', /reserved/],
    ['240.0.0.1', /reserved/], ['192.0.0.8', /reserved/],
    ['::1', /loopback/], ['::', /unspecified/], ['fe80::1', /linkLocal/], ['fe80::1%eth0', /linkLocal/],
    ['fc00::1', /uniqueLocal/], ['fd12:3456::1', /uniqueLocal/], ['ff02::1', /multicast/], ['2001:db8::1', /reserved/],
    ['fec0::1', /SiteLocal/], ['100::1', /discard/],
    // IPv6 spellings of refused IPv4 addresses.
    ['::ffff:127.0.0.1', /ipv4Mapped.*127\.0\.0\.1.*loopback/], ['::ffff:7f00:1', /ipv4Mapped.*loopback/],
    ['::ffff:10.1.2.3', /private/], ['::ffff:169.254.169.254', /linkLocal/],
    ['::ffff:0:7f00:1', /rfc6145.*loopback/], ['64:ff9b::7f00:1', /rfc6052.*loopback/], ['64:ff9b::a9fe:a9fe', /linkLocal/],
    // Not global unicast, or tunnels whose far end we cannot judge.
    ['::7f00:1', /not global unicast/], ['2002:7f00:1::1', /6to4/], ['2001::1', /teredo/], ['64:ff9b:1::1', /rfc6052/],
  ];
  for (const [address, range] of refused) {
    it(`refuses ${address}`, () => {
      assert.match(check(address) ?? 'allowed', range);
    });
  }

  for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    it(`allows the public address ${address}`, () => {
      assert.equal(check(address), undefined);
    });
  }

  it('refuses anything that is not an IP address', () => {
    for (const text of ['localhost', '127.1', '2130706433', '', 'http://127.0.0.1/']) {
      assert.equal(check(text), 'not an IP address', text);
    }
  });

  it('re-admits addresses on the allow-list, by CIDR or single address, including their mapped forms', () => {
    const permissive = createAddressCheck(['10.1.0.0/16', '127.0.0.2', 'fd00:1::/32']);
    assert.equal(permissive('10.1.2.3'), undefined);
    assert.equal(permissive('::ffff:10.1.2.3'), undefined);
    assert.equal(permissive('127.0.0.2'), undefined);
    assert.equal(permissive('fd00:1::5'), undefined);
    assert.match(permissive('10.2.0.1') ?? '', /private/);
    assert.match(permissive('127.0.0.1') ?? '', /loopback/);
    assert.match(permissive('fd00:2::5') ?? '', /uniqueLocal/);
  });

  it('throws at construction on a malformed allow-list entry', () => {
    assert.throws(() => createAddressCheck(['10.0.0.0/33']), /allowAddresses/);
    assert.throws(() => createAddressCheck(['intranet.example']), /allowAddresses/);
  });
});

describe('createGuardedLookup', () => {
  const base = (answers: string[] | Error): LookupFunction => (_hostname, _options, callback) => {
    if (answers instanceof Error) return callback(answers, '', 0);
    callback(null, answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  const resolve = (lookup: LookupFunction, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((done) => {
      lookup('host.example', { all }, (err, address, family) => done({ err, address, family }));
    });
  const check = createAddressCheck([]);

  it('answers in the shape node asked for, with only checked addresses', async () => {
    const lookup = createGuardedLookup(check, base(['93.184.215.14', '2606:4700:4700::1111']));
    const single = await resolve(lookup, false);
    assert.equal(single.err, null);
    assert.equal(single.address, '93.184.215.14');
    assert.equal(single.family, 4);
    const all = await resolve(lookup, true);
    assert.deepEqual(all.address, [{ address: '93.184.215.14', family: 4 }, { address: '2606:4700:4700::1111', family: 6 }]);
  });

  it('fails with AddressRefusedError when any answer is refused', async () => {
    const { err } = await resolve(createGuardedLookup(check, base(['93.184.215.14', '10.0.0.1'])), true);
    assert.ok(err instanceof AddressRefusedError);
    assert.match(err.message, /host\.example resolves to 10\.0\.0\.1, in a refused range \(private\)/);
  });

  it('passes resolver errors through and treats an empty answer as not found', async () => {
    const dnsError = Object.assign(new Error('getaddrinfo EAI_AGAIN host.example'), { code: 'EAI_AGAIN' });
    assert.equal((await resolve(createGuardedLookup(check, base(dnsError)), false)).err, dnsError);
    assert.equal((await resolve(createGuardedLookup(check, base([])), true)).err?.code, 'ENOTFOUND');
  });
});

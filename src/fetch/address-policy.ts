/**
 * Which IP addresses an outbound linkback fetch may connect to (SSRF guard, protocols.md §3.5, P11, W18).
 *
 * The rule is default-deny: an address is fetchable only when it is ordinary public unicast. Every special
 * range ipaddr.js knows (loopback, private, link-local, CGNAT, multicast, broadcast, reserved, documentation,
 * benchmarking, ...) is refused, and IPv6 forms that embed an IPv4 address are judged by that IPv4 address.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;
type Cidr = [IPv4 | IPv6, number];

/** `undefined` when the address may be fetched, otherwise the name of the refused range it falls in. */
export type AddressCheck = (address: string) => string | undefined;

/** Raised from the guarded lookup so the fetcher can report `refused` rather than a network failure. */
export class AddressRefusedError extends Error {
  readonly code = 'EADDRESSREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefusedError';
  }
}

// Global unicast space (RFC 4291 §2.4). Anything outside it that is not an embedded-IPv4 form is refused,
// which also covers ranges ipaddr.js labels 'unicast' but nobody should serve web pages from, e.g. the
// deprecated IPv4-compatible ::a.b.c.d (::7f00:1 is loopback in disguise).
const GLOBAL_UNICAST_V6: Cidr = [ipaddr.IPv6.parse('2000::'), 3];

/**
 * The IPv4 address carried inside an IPv6 one, for the forms a stack may translate back to IPv4:
 * IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96 (RFC 6145), NAT64 64:ff9b::/96 (RFC 6052).
 */
function embeddedIPv4(address: IPv6): IPv4 | undefined {
  const p = address.parts;
  const low = (): IPv4 => new ipaddr.IPv4([p[6]! >> 8, p[6]! & 0xff, p[7]! >> 8, p[7]! & 0xff]);
  if (p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0) {
    if (p[4] === 0 && p[5] === 0xffff) return low();
    if (p[4] === 0xffff && p[5] === 0) return low();
  }
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) return low();
  return undefined;
}

function parseAddress(address: string): IPv4 | IPv6 | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // net.isIP first: ipaddr.js also accepts shorthand such as '127.1', which never comes from a resolver.
  if (isIP(bare.split('%')[0] ?? '') === 0) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

function specialRange(address: IPv4 | IPv6): string | undefined {
  if (address.kind() === 'ipv4') {
    const range = address.range();
    return range === 'unicast' ? undefined : range;
  }
  const v6 = address as IPv6;
  const inner = embeddedIPv4(v6);
  if (inner) {
    const innerRange = specialRange(inner);
    return innerRange === undefined ? undefined : `${v6.range()} form of ${inner.toString()}, ${innerRange}`;
  }
  const range = v6.range();
  if (range !== 'unicast') return range;
  return v6.match(GLOBAL_UNICAST_V6) ? undefined : 'not global unicast';
}

function parseCidr(entry: string): Cidr {
  const text = entry.trim();
  if (ipaddr.isValidCIDR(text)) return ipaddr.parseCIDR(text);
  const single = parseAddress(text);
  if (single) return [single, single.kind() === 'ipv4' ? 32 : 128];
  throw new Error(`allowAddresses: '${entry}' is not an IP address or CIDR range`);
}

function inAnyRange(address: IPv4 | IPv6, ranges: readonly Cidr[]): boolean {
  const forms: (IPv4 | IPv6)[] = [address];
  if (address.kind() === 'ipv6') {
    const inner = embeddedIPv4(address as IPv6);
    if (inner) forms.push(inner);
  }
  return forms.some((form) => ranges.some((range) => range[0].kind() === form.kind() && form.match(range)));
}

/**
 * Builds the address check. `allowAddresses` (CIDRs or single addresses) re-admits otherwise refused
 * addresses, for self-hosters whose peers live on a private network. Throws on a malformed entry so a
 * configuration mistake shows up at start-up rather than as a silently open or closed guard.
 */
export function createAddressCheck(allowAddresses: readonly string[]): AddressCheck {
  const allowed = allowAddresses.map(parseCidr);
  return (text) => {
    const address = parseAddress(text);
    if (!address) return 'not an IP address';
    if (inAnyRange(address, allowed)) return undefined;
    return specialRange(address);
  };
}

/**
 * A `lookup` for node:http/https that resolves the name once, checks every address it got, and hands the
 * socket only those checked addresses. Checking the URL (or a separate resolution) and then letting the
 * transport resolve again is the DNS-rebinding hole behind CVE-2022-3590; here the check and the
 * connection use the same answer. Note node skips `lookup` for IP literals, so callers check those first.
 */
export function createGuardedLookup(check: AddressCheck, base: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    const fail = (err: NodeJS.ErrnoException): void => callback(err, options.all ? [] : '', 0);
    base(hostname, { ...options, all: true }, (err, result) => {
      if (err) return fail(err);
      const addresses: LookupAddress[] =
        typeof result === 'string' ? [{ address: result, family: isIP(result) }] : result;
      if (addresses.length === 0) {
        return fail(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }));
      }
      for (const { address } of addresses) {
        const range = check(address);
        if (range !== undefined) {
          return fail(new AddressRefusedError(`${hostname} resolves to ${address}, in a refused range (${range})`));
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

import ipaddr from 'ipaddr.js';

/**
 * Reduces a client address for storage once the spam check has used it: IPv4 to its /24, IPv6 to
 * its /48 (the usual size of one site's allocation), IPv4-mapped IPv6 treated as IPv4. Enough to
 * spot a flood from one network in the admin page, not enough to identify a reader.
 */
export function reduceIp(ip: string): string {
  if (!ipaddr.isValid(ip)) return '';
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.kind() === 'ipv4') {
    const octets = (addr as ipaddr.IPv4).octets;
    return `${octets[0]}.${octets[1]}.${octets[2]}.0`;
  }
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 3);
  return ipaddr.fromByteArray([...new ipaddr.IPv6([...parts, 0, 0, 0, 0, 0]).toByteArray()]).toString();
}

/**
 * The key every per-client limit counts under (submissions, queue caps, admin-token failures): an
 * IPv4 address as it is, an IPv6 address by its /64. One subscriber line or one server is handed a
 * whole /64 (RFC 6177, RIPE-690), so counting full IPv6 addresses would give one attacker 2^64 fresh
 * budgets. IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket reports) counts as the IPv4
 * address; anything unparsable is used as it is, so it still counts against itself.
 */
export function clientLimitKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

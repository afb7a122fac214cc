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

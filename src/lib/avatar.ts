import { createHash } from 'node:crypto';

/**
 * Identicons generated here, so showing an avatar never tells a third party (Gravatar) who reads
 * which post. The hash is salted per installation, so it cannot be matched to an e-mail address
 * the way Gravatar's plain MD5 can.
 */
export function avatarHash(salt: string, email: string, author: string): string {
  const who = email !== '' ? `e:${email.toLowerCase()}` : `a:${author}`;
  return createHash('sha256').update(salt).update('\0').update(who).digest('hex').slice(0, 20);
}

/**
 * avatarHash with the salt fixed and results remembered (bounded): listing a thread asks for the
 * same few authors' hashes on every read, and a SHA-256 per comment per read was ~7% of a GET.
 */
export function memoizedAvatarHash(salt: string, maxEntries = 10_000): (email: string, author: string) => string {
  const memo = new Map<string, string>();
  return (email, author) => {
    const key = email !== '' ? `e:${email}` : `a:${author}`;
    let hash = memo.get(key);
    if (hash === undefined) {
      hash = avatarHash(salt, email, author);
      if (memo.size >= maxEntries) memo.delete(memo.keys().next().value!);
      memo.set(key, hash);
    }
    return hash;
  };
}

/** A 5×5 mirrored identicon as SVG, colour and pattern taken from the hash. */
export function identiconSvg(hash: string): string {
  const bytes = Buffer.from(hash.padEnd(20, '0').slice(0, 20), 'hex');
  const hue = Math.round(((bytes[0]! << 8) | bytes[1]!) % 360);
  const cells: string[] = [];
  for (let row = 0; row < 5; row++) {
    for (let col = 0; col < 3; col++) {
      const bit = (bytes[2 + row]! >> col) & 1;
      if (!bit) continue;
      for (const x of new Set([col, 4 - col])) cells.push(`<rect x="${x + 1}" y="${row + 1}" width="1" height="1"/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" width="48" height="48">` +
    `<rect width="7" height="7" fill="hsl(${hue},30%,92%)"/><g fill="hsl(${hue},55%,45%)">${cells.join('')}</g></svg>`;
}

/**
 * RFC 8288 `Link` header values, as far as endpoint discovery needs them: each link's target and its
 * `rel` values. Several Link headers arrive joined with ", " (fetch-page), which is the same list.
 */

export interface HeaderLink {
  href: string;
  /** Lower-cased relation types (`rel` is a space-separated list, RFC 8288 §3.3). */
  rels: string[];
}

/** Parses `<uri>; rel="a b"; x=y, <uri2>; rel=c`; malformed parts are skipped, never thrown on. */
export function parseLinkHeader(value: string): HeaderLink[] {
  const links: HeaderLink[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    const open = value.indexOf('<', i);
    if (open < 0) break;
    const close = value.indexOf('>', open + 1);
    if (close < 0) break;
    const href = value.slice(open + 1, close).trim();
    i = close + 1;
    const rels: string[] = [];
    // Parameters up to the next comma that is outside quotes.
    for (;;) {
      while (i < n && (value[i] === ' ' || value[i] === '\t')) i += 1;
      if (i >= n || value[i] === ',') break;
      if (value[i] !== ';') {
        // Garbage after the target: skip to the next link-value.
        while (i < n && value[i] !== ',') i += 1;
        break;
      }
      i += 1;
      const eq = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(=\s*)?/.exec(value.slice(i));
      if (!eq) continue;
      const name = eq[1]!.toLowerCase();
      i += eq[0].length;
      let param = '';
      if (eq[2] !== undefined) {
        if (value[i] === '"') {
          i += 1;
          while (i < n && value[i] !== '"') {
            if (value[i] === '\\' && i + 1 < n) i += 1;
            param += value[i];
            i += 1;
          }
          i += 1;
        } else {
          const token = /^[^;,\s]*/.exec(value.slice(i))![0];
          param = token;
          i += token.length;
        }
      }
      if (name === 'rel' && rels.length === 0) rels.push(...param.toLowerCase().split(/\s+/).filter((r) => r !== ''));
    }
    links.push({ href, rels });
  }
  return links;
}

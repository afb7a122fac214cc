/**
 * URL parsing and normalization. Targets are compared, and threads keyed, by their normalized form
 * (contract, "Targets and threads"): scheme and host lower-cased, default port dropped, fragment dropped.
 */

/** Parses an absolute http(s) URL without credentials; undefined for anything else. */
export function parseHttpUrl(input: unknown): URL | undefined {
  if (typeof input !== 'string') return undefined;
  const trimmed = input.trim();
  if (trimmed === '' || /[\s"<>]/.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.hostname === '') return undefined;
  return url;
}

/**
 * Canonical form of an http(s) URL: WHATWG URL already lower-cases scheme and host, drops the default
 * port and percent-encodes non-ASCII path characters; we also drop the fragment.
 */
export function normalizeUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}

/** parseHttpUrl + normalizeUrl; undefined when the input is not an acceptable URL. */
export function normalizeHttpUrl(input: unknown): string | undefined {
  const url = parseHttpUrl(input);
  return url ? normalizeUrl(url) : undefined;
}

/**
 * The key two linkback source URLs are compared by: normalized, and with percent-escapes of
 * unreserved characters folded so `%7E` and `~` match (RFC 3986 §6.2.2.2).
 */
export function linkKey(input: string): string | undefined {
  const normalized = normalizeHttpUrl(input);
  if (!normalized) return undefined;
  return normalized.replace(/%([0-9A-Fa-f]{2})/g, (match, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : match.toUpperCase();
  });
}

/** The origin (`scheme://host[:port]`) of a URL string. */
export function originOf(input: string): string | undefined {
  const url = parseHttpUrl(input);
  return url?.origin;
}

/** True when the URL's origin is one of the configured site origins. */
export function isOnSites(url: URL, sites: readonly string[]): boolean {
  return sites.includes(url.origin);
}

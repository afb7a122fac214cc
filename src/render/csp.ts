/**
 * Content-Security-Policy values for the pages Backtalk serves itself. No inline script or style is
 * allowed anywhere: the pages link their CSS and scripts from this server, which is what lets the
 * widget run on a blog with an equally strict policy.
 */
export interface CspSources {
  /** This server's public origin (also allowed as 'self', which differs when reached by another name). */
  publicOrigin: string;
  /** Origins a form may post to or be redirected to (the blogs, for the 303 after posting). */
  sites: readonly string[];
  /** Extra image origins (Gravatar when the owner turned it on). */
  images?: readonly string[];
}

export function pageCsp(src: CspSources, opts: { scripts: boolean }): string {
  const self = `'self' ${src.publicOrigin}`;
  return [
    "default-src 'none'",
    opts.scripts ? `script-src ${self}` : '',
    opts.scripts ? `connect-src ${self}` : '',
    `style-src ${self}`,
    `img-src ${self} ${(src.images ?? []).join(' ')}`.trim(),
    // Chrome applies form-action to the redirect after a post too, so the blogs must be listed.
    `form-action ${self} ${src.sites.join(' ')}`,
    "base-uri 'none'",
    `frame-ancestors ${self} ${src.sites.join(' ')}`,
  ].filter((d) => d !== '').join('; ');
}

export const GRAVATAR_ORIGIN = 'https://www.gravatar.com';

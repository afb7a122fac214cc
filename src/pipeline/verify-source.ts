/**
 * Fetches a linkback's source through the safe fetcher and checks that it links to the target.
 * Outcomes are values; pipeline/verification.ts decides what each one means (a refusal, or for a
 * re-sent Webmention the removal of its earlier mention).
 */
import type { LinkbackKind, VerifiedSource } from '../domain/comment.js';
import type { FetchProblem, PageFetcher } from '../fetch/fetch-page.js';
import { checkSourceLinksOffThread } from '../workers/offload.js';
import { WorkerBusyError, WorkerTimeoutError } from '../workers/worker-pool.js';

export type VerifyOutcome =
  | { kind: 'verified'; source: VerifiedSource }
  /** Not fetched, not 2xx, or refused by the fetch policy; `temporary` when a retry may help. */
  | { kind: 'unreachable'; reason: string; temporary: boolean; status?: number }
  /** Our own outbound limits refused the fetch (flood protection); nothing was sent. */
  | { kind: 'busy'; reason: string }
  | { kind: 'no-link' }
  /** 410 Gone, or a `<meta http-equiv="Status" content="410 Gone">` page. */
  | { kind: 'gone' };

export interface SourceVerifier {
  verify(kind: LinkbackKind, source: string, target: string): Promise<VerifyOutcome>;
}

export interface VerifierOptions {
  /** Time limit of the parse of one large source page (BACKTALK_WORKER_TIMEOUT_MS). */
  parseTimeoutMs?: number;
}

export function createSourceVerifier(fetcher: PageFetcher, options: VerifierOptions = {}): SourceVerifier {
  return {
    async verify(kind, source, target) {
      const page = await fetcher.fetch(source);
      if (page.kind === 'refused') {
        return page.cause === 'limit' ? { kind: 'busy', reason: page.reason } : { kind: 'unreachable', reason: publicReason(page), temporary: false };
      }
      if (page.kind === 'failed') return { kind: 'unreachable', reason: publicReason(page), temporary: page.temporary };
      if (page.status === 410) return { kind: 'gone' };
      if (page.status < 200 || page.status > 299) {
        // Pingback errata and Webmention §3.2.4: only 410 is a delete signal; 404 and 5xx are not.
        return { kind: 'unreachable', reason: `the source answered HTTP ${page.status}`, temporary: page.status >= 500 || page.status === 429, status: page.status };
      }
      const rule = kind === 'webmention' ? 'webmention' : 'anchor';
      // Large pages are parsed on a worker thread, so a 1 MiB source never stalls other requests.
      let check;
      try {
        check = await checkSourceLinksOffThread({ url: page.url, contentType: page.contentType, body: page.body }, target, rule, { timeoutMs: options.parseTimeoutMs });
      } catch (err) {
        // A page that cannot be read within the limit is refused like one that cannot be fetched:
        // trying again would cost the same.
        if (err instanceof WorkerTimeoutError) return { kind: 'unreachable', reason: 'the source page took too long to read', temporary: false };
        if (err instanceof WorkerBusyError) return { kind: 'busy', reason: 'too many source pages waiting to be read' };
        throw err;
      }
      switch (check.kind) {
        case 'linked':
          // The page's charset is a hint for TrackBack text its blog sent without one (decode-claimed-text.ts).
          return { kind: 'verified', source: page.charset ? { ...check.source, charset: page.charset } : check.source };
        case 'gone':
          return { kind: 'gone' };
        case 'no-link':
          return { kind: 'no-link' };
      }
    },
  };
}

/**
 * What the sender (Webmention status) and the owner's linkback log are told when a source could not
 * be fetched: general words. The fetcher's own reason can hold DNS answers and internal addresses
 * ("intranet.corp resolves to 10.0.0.5", "connect ECONNREFUSED 10.0.0.5:80"); repeating it would let
 * anyone map internal host names by sending Webmentions. A name that does not resolve and one that
 * resolves to a private address get the same words, so not even a name's existence shows. Reasons
 * that only restate the sender's own URL (scheme, port, redirect limit) are kept as they are.
 */
function publicReason(page: { cause: FetchProblem; reason: string }): string {
  switch (page.cause) {
    case 'address':
    case 'dns':
      return 'the source is not at a public address';
    case 'timeout':
      return 'the source did not answer in time';
    case 'connection':
      return "the source's server refused or dropped the connection";
    case 'other':
      return 'the source could not be fetched';
    case 'url':
    case 'port':
    case 'redirects':
    case 'limit':
      return page.reason;
  }
}

import type { Comment } from '../domain/comment.js';

/** How `receive` ended, for every door; refusals are AppErrors, rendered by each door in its own format. */
export type ReceiveResult =
  /** `editToken` is handed to a comment's author once; only its hash is stored. */
  | { kind: 'stored'; comment: Comment; editToken: string | null }
  /** An author's edit, or a re-sent Webmention whose source was verified again (§3.2.4). */
  | { kind: 'updated'; comment: Comment }
  /** An author deleted their comment, or a Webmention's source retracted its link (410, or no link). */
  | { kind: 'removed'; comment: Comment; reason: string }
  /** A TrackBack or Pingback from this source to this post exists already (one row, whatever the protocol). */
  | { kind: 'duplicate'; existing: Comment };

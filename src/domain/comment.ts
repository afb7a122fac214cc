/** Domain types shared by every door (comment form, TrackBack, Pingback, Webmention) and the store. */

export type CommentKind = 'comment' | 'trackback' | 'pingback' | 'webmention';
export type LinkbackKind = Exclude<CommentKind, 'comment'>;
export type CommentStatus = 'pending' | 'approved' | 'spam' | 'trash';

export const COMMENT_STATUSES: readonly CommentStatus[] = ['pending', 'approved', 'spam', 'trash'];
export const LINKBACK_KINDS: readonly LinkbackKind[] = ['trackback', 'pingback', 'webmention'];

export function isLinkbackKind(kind: string): kind is LinkbackKind {
  return (LINKBACK_KINDS as readonly string[]).includes(kind);
}

/** What we know about the HTTP client that sent a submission. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
  referrer: string;
}

/**
 * A target URL normalized and checked against the configured sites. Only `resolveTarget`
 * (pipeline/normalize.ts) makes one, at the door; everything behind the door takes this type,
 * so no step has to (or can forget to) check the target again.
 */
export type SiteTarget = string & { readonly __siteTarget: unique symbol };

/** A submission as a protocol adapter reads it off the wire: its target not yet checked. */
export type Arriving<S extends { target: SiteTarget }> = S extends unknown ? Omit<S, 'target'> & { target: string } : never;

/** The fields of a comment as a reader sends them, new or edited; untrusted and unnormalized. */
export interface CommentFields {
  /** Author-supplied text exactly as received. Never render as HTML: it is not sanitized. */
  body: string;
  author?: string;
  email?: string;
  url?: string;
  parent?: number;
  /** The honeypot field `website2`: humans leave it empty. */
  honeypot?: string;
}

/** A reader's comment as it arrives, untrusted and unnormalized. */
export interface CommentSubmission extends CommentFields {
  kind: 'comment';
  target: SiteTarget;
  /** `subscribe=1`: mail me replies in this thread (double opt-in, needs `email`). */
  subscribe?: boolean;
  /** The language the reader wrote in (the request's language): the comment's mails are sent in it. */
  lang?: string;
  /** The post's title as the reader's page shows it (widget: document.title or og:title); untrusted. */
  postTitle?: string;
  client: ClientInfo;
}

/** A linkback as it arrives from another blog, untrusted and unverified. */
export interface LinkbackSubmission {
  kind: LinkbackKind;
  target: SiteTarget;
  source: string;
  /** Claimed by the sender (TrackBack); pingback and webmention take them from the source page. */
  title?: string;
  excerpt?: string;
  blogName?: string;
  /** Claimed fields sent in an unnamed charset that is not UTF-8: decoded once the source page hints at one. */
  undecoded?: UndecodedText;
  client: ClientInfo;
}

/** TrackBack title, excerpt and blog name as bytes (pipeline/decode-claimed-text.ts decodes them). */
export type UndecodedText = Partial<Record<'title' | 'excerpt' | 'blogName', Uint8Array>>;

/** An author's change to their own comment, proven by the edit token handed out when it was made. */
export interface CommentEditSubmission {
  kind: 'comment-edit';
  id: number;
  editToken: string;
  /** Author-supplied text exactly as received. Never render as HTML: it is not sanitized. */
  body: string;
  /** Unset: keep the stored name (or website). */
  author?: string;
  url?: string;
  client: ClientInfo;
}

/** An author deleting their own comment, proven by the edit token. */
export interface CommentRemovalSubmission {
  kind: 'comment-removal';
  id: number;
  editToken: string;
  client: ClientInfo;
}

/** A new item from one of the four doors (a re-sent Webmention updates or removes its mention). */
export type NewSubmission = CommentSubmission | LinkbackSubmission;

/** Everything `receive` handles: new items, changes and removals. */
export type Submission = NewSubmission | CommentEditSubmission | CommentRemovalSubmission;

export type MentionType = 'mention' | 'reply' | 'like' | 'repost';

/** What fetching and checking a linkback's source page established. */
export interface VerifiedSource {
  /** The source's own title (HTML `<title>` or h-entry name), plain text. */
  title?: string;
  /** Plain-text context around the link, or the h-entry summary. */
  excerpt?: string;
  authorName?: string;
  authorUrl?: string;
  authorPhoto?: string;
  mentionType?: MentionType;
  /** The charset the page declared (HTTP header, then `<meta>`): a hint for text its blog sent unlabelled. */
  charset?: string;
}

export interface Thread {
  id: number;
  /** Normalized target URL: the SiteTarget it was created for. */
  target: string;
  title: string | null;
  /** Per-thread switch: linkbacks closed for this post. */
  linkbacksClosed: boolean;
  commentsClosed: boolean;
  created: Date;
}

export interface Comment {
  id: number;
  threadId: number;
  target: string;
  parent: number | null;
  kind: CommentKind;
  status: CommentStatus;
  author: string;
  email: string;
  url: string;
  /** Sanitized HTML, rendered once when saved. */
  bodyHtml: string;
  /** Author-supplied text exactly as received. Never render as HTML: it is not sanitized. */
  bodyRaw: string;
  source: string | null;
  title: string | null;
  mentionType: MentionType | null;
  authorPhoto: string | null;
  ip: string;
  userAgent: string;
  /** Why a check flagged the comment (spam or held), empty when none did. */
  reasons: string[];
  /** SHA-256 of the edit token handed to the author; the token itself is never stored. */
  editTokenHash: string | null;
  /** True once deleted while it had replies: shown as a placeholder so the replies keep their place. */
  deleted: boolean;
  created: Date;
  edited: Date | null;
  /** The language the comment was written in (a LOCALES key); null for linkbacks and older rows. */
  lang?: string | null;
  /**
   * Readers' votes (contract v1.1), kept equal to the votes table by the store. Present only when
   * the comment has any, so an unvoted comment reads exactly as it did before votes existed.
   */
  likes?: number;
  dislikes?: number;
}

/** A comment about to be stored: everything but the database-assigned fields. */
export type NewComment = Omit<Comment, 'id' | 'target' | 'deleted' | 'edited'> & {
  /** Normalized source URL used as the linkback uniqueness key, null for comments. */
  sourceKey: string | null;
};

export type WebmentionStatus = 'pending' | 'accepted' | 'rejected';

/** One received Webmention awaiting (or done with) verification; its token names the status URL. */
export interface WebmentionJob {
  id: number;
  token: string;
  source: string;
  target: string;
  status: WebmentionStatus;
  reason: string | null;
  attempts: number;
  nextAttemptAt: Date;
  clientIp: string;
  userAgent: string;
  commentId: number | null;
  created: Date;
  updated: Date;
}

export type LinkbackOutcome = 'accepted' | 'pending' | 'spam' | 'refused' | 'duplicate' | 'updated' | 'deleted' | 'queued';

/** One line of the linkback attempt log shown to the site owner. */
export interface LinkbackLogEntry {
  id: number;
  kind: LinkbackKind;
  source: string;
  target: string;
  outcome: LinkbackOutcome;
  reason: string;
  ip: string;
  commentId: number | null;
  created: Date;
}

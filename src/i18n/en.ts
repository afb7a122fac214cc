/**
 * English strings, shared by the server-rendered thread page and the widget. A language is one file
 * like this one: copy it, translate the values, and register it in ./index.ts. `{n}` is a number,
 * `{name}` a name; plural forms follow Intl.PluralRules categories of the language.
 */
const en = {
  lang: 'en',
  comments: { one: '{n} comment', other: '{n} comments' },
  mentions: 'Mentions',
  noComments: 'No comments yet. Be the first!',
  reply: 'Reply',
  cancelReply: 'Cancel reply',
  replyingTo: 'Replying to {name}',
  edit: 'Edit',
  delete: 'Delete',
  save: 'Save',
  cancel: 'Cancel',
  preview: 'Preview',
  deleted: 'This comment was deleted.',
  anonymous: 'Anonymous',
  formHeading: 'Leave a comment',
  bodyLabel: 'Comment',
  bodyHint: 'Markdown works: *emphasis*, `code`, > quotes, links.',
  nameLabel: 'Name',
  emailLabel: 'E-mail (optional, never shown)',
  urlLabel: 'Website',
  honeypotLabel: 'Leave this field empty',
  submit: 'Post comment',
  posting: 'Posting…',
  posted: 'Your comment was posted.',
  pending: 'Thank you! Your comment is awaiting moderation.',
  tooMany: 'You are posting too quickly. Please try again in {n} seconds.',
  failed: 'Your comment could not be posted: {message}',
  confirmDelete: 'Delete your comment?',
  noscript: 'Read and post comments without JavaScript',
  trackbackFrom: 'Trackback from {name}',
  pingbackFrom: 'Pingback from {name}',
  webmentionFrom: 'Mention from {name}',
  liked: '{name} liked this',
  reposted: '{name} reposted this',
  repliedAt: '{name} replied',
  subscribeLabel: 'Notify me of replies by e-mail',
  commentsClosed: 'Comments are closed.',
  threadTitle: 'Comments',
  backToPost: 'Back to the post',
  edited: 'edited',
  saved: 'Saved.',
  deletedOwn: 'Your comment was deleted.',
  loadFailed: 'Comments could not be loaded.',
} as const;

/** A plural phrase: Intl.PluralRules categories, `other` always present. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Strings = { [K in keyof typeof en]: (typeof en)[K] extends object ? PluralForms : string };
export default en;

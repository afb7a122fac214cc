/**
 * Mail texts per language (BACKTALK_MAIL_LANG). Kept apart from src/i18n, whose strings serve the
 * widget and are shipped to browsers: these never leave the server. `{name}` placeholders as there.
 */
export interface MailStrings {
  held: string;
  ownerSubject: string;
  ownerHeld: string;
  ownerPublished: string;
  kinds: Record<'comment' | 'trackback' | 'pingback' | 'webmention', string>;
  someone: string;
  none: string;
  author: string;
  email: string;
  website: string;
  source: string;
  title: string;
  flagged: string;
  readIt: string;
  approve: string;
  spam: string;
  delete: string;
  allComments: string;
  linkNote: string;
  confirmSubject: string;
  confirmText: string;
  confirmLink: string;
  confirmIgnore: string;
  replySubject: string;
  replyWrote: string;
  replyRead: string;
  replyStop: string;
}

const en: MailStrings = {
  held: '[held] ',
  ownerSubject: '{held}New {kind} by {who} on {target}',
  ownerHeld: 'Held for moderation: a new {kind} on {target}',
  ownerPublished: 'Published: a new {kind} on {target}',
  kinds: { comment: 'comment', trackback: 'trackback', pingback: 'pingback', webmention: 'webmention' },
  someone: 'someone',
  none: '(none)',
  author: 'Author',
  email: 'E-mail',
  website: 'Web site',
  source: 'Source',
  title: 'Title',
  flagged: 'Flagged',
  readIt: 'Read it',
  approve: 'Approve',
  spam: 'Mark as spam',
  delete: 'Delete',
  allComments: 'All comments',
  linkNote: 'Each link opens a page that asks you to confirm, works once and expires after 7 days.',
  confirmSubject: 'Confirm: replies on {target}',
  confirmText: 'Somebody (we hope you) asked to be told by e-mail of new replies on {target}.',
  confirmLink: 'To confirm, open this link and press the button',
  confirmIgnore: 'If it was not you, ignore this mail: nothing more will be sent.',
  replySubject: 'New reply by {who} on {target}',
  replyWrote: '{who} wrote on {target}:',
  replyRead: 'Read and answer',
  replyStop: 'Stop these mails (one click)',
};

const ru: MailStrings = {
  held: '[на проверке] ',
  ownerSubject: '{held}Новый {kind} от {who}: {target}',
  ownerHeld: 'Ждёт проверки: новый {kind} к {target}',
  ownerPublished: 'Опубликован: новый {kind} к {target}',
  kinds: { comment: 'комментарий', trackback: 'трекбэк', pingback: 'пингбэк', webmention: 'вебменшн' },
  someone: 'кто-то',
  none: '(нет)',
  author: 'Автор',
  email: 'E-mail',
  website: 'Сайт',
  source: 'Источник',
  title: 'Заголовок',
  flagged: 'Пометки',
  readIt: 'Читать',
  approve: 'Одобрить',
  spam: 'Это спам',
  delete: 'Удалить',
  allComments: 'Все комментарии',
  linkNote: 'Каждая ссылка открывает страницу с подтверждением, срабатывает один раз и действует 7 дней.',
  confirmSubject: 'Подтвердите подписку на ответы: {target}',
  confirmText: 'Кто-то (надеемся, вы) попросил присылать письма о новых ответах к {target}.',
  confirmLink: 'Чтобы подтвердить, откройте ссылку и нажмите кнопку',
  confirmIgnore: 'Если это были не вы, просто не обращайте внимания на это письмо: больше писем не будет.',
  replySubject: 'Новый ответ от {who}: {target}',
  replyWrote: '{who} пишет к {target}:',
  replyRead: 'Читать и ответить',
  replyStop: 'Больше не присылать (в один клик)',
};

export const MAIL_LANGS: Readonly<Record<string, MailStrings>> = { en, ru };

export function mailStrings(lang: string | undefined): MailStrings {
  return MAIL_LANGS[lang ?? 'en'] ?? en;
}

/**
 * Each mail is written in the language its comment was written in (issue 16, point 3), not in one
 * language for the whole site; BACKTALK_MAIL_LANG only covers items with no language. The pages
 * behind the mail's links answer in the same language. Real SMTP sink, real server, real HTTP.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { POST } from '../helpers/test-server.js';
import { linkAfter, OWNER, postComment, useMailSetup } from './support.js';

const pathOf = (link: string) => new URL(link).pathname + new URL(link).search;

describe('mails in the language of their comment', () => {
  const setup = useMailSetup({ BACKTALK_MODERATION: 'all' });

  test('a Russian comment, a German one and one with no language give three mails in three languages', async () => {
    await postComment(setup.app, { author: 'Анна Каренина', body: 'Прекрасная запись', lang: 'ru' });
    await setup.flush();
    const russian = setup.smtp.to(OWNER).at(-1)!;
    // No case ending on the name and no gendered verb: the name follows "автор:".
    assert.match(russian.subject, /^\[на проверке\] Новый комментарий, автор: Анна Каренина — http:\/\/blog\.example\//);
    assert.match(russian.text, /^Ждёт проверки: новый комментарий на странице http:\/\/blog\.example\//);
    assert.match(russian.text, /Автор: Анна Каренина/);
    assert.match(linkAfter(russian.text, 'Одобрить'), /\/mail\/action\?token=[^&]+&lang=ru$/);

    const res = await setup.app.postJson('/comments?lang=de', { target: POST, author: 'Jörg', body: 'Schöner Beitrag' });
    assert.equal(res.status, 201);
    await setup.flush();
    const german = setup.smtp.to(OWNER).at(-1)!;
    assert.match(german.subject, /^\[zurückgehalten\] Neu: Kommentar von Jörg auf http:\/\/blog\.example\//);
    assert.match(german.text, /Freigeben: http/);

    await postComment(setup.app, { author: 'Nobody', body: 'plain' });
    await setup.flush();
    assert.match(setup.smtp.to(OWNER).at(-1)!.subject, /^\[held\] New comment by Nobody on /);
  });

  test('the pages behind a Russian mail\'s link are Russian, up to the result', async () => {
    const c = await postComment(setup.app, { author: 'Лев', body: 'Ещё одна мысль', lang: 'ru' });
    await setup.flush();
    const mail = setup.smtp.to(OWNER).at(-1)!;
    const approve = linkAfter(mail.text, 'Одобрить');
    const page = await (await setup.app.request(pathOf(approve))).text();
    assert.match(page, /<html lang="ru" dir="ltr">/);
    assert.match(page, /<title>Одобрить\?<\/title>/);
    assert.match(page, /комментарий на странице <a href="http:\/\/blog\.example\/[^"]*">[^<]*<\/a>, автор: <strong><bdi>Лев<\/bdi><\/strong>, состояние: <em>ожидает проверки<\/em>\./);
    assert.match(page, /<form method="post" action="http:\/\/127\.0\.0\.1:\d+\/mail\/action\?lang=ru">/);
    const token = new URL(approve).searchParams.get('token')!;
    const done = await setup.app.postForm('/mail/action?lang=ru', { token });
    assert.equal(done.status, 200);
    assert.match(await done.text(), new RegExp(`Комментарий ${c.id} одобрен\\.`));
    assert.equal((await setup.app.deps.store.comments.findById(c.id))?.status, 'approved');
  });
});

describe('subscription mails in the subscriber\'s language', () => {
  const setup = useMailSetup({ BACKTALK_NOTIFY_EMAIL: '' });

  test('a Ukrainian subscriber gets a Ukrainian confirmation mail and Ukrainian pages', async () => {
    const form = await setup.app.postForm('/comments', { target: POST, author: 'Олена', email: 'olena@example.org', body: 'Дякую!', subscribe: '1', lang: 'uk' });
    assert.equal(form.status, 303);
    await setup.flush();
    const [confirm] = setup.smtp.to('olena@example.org');
    assert.ok(confirm);
    assert.match(confirm.subject, /^Підтвердьте підписку на відповіді: http:\/\/blog\.example\//);
    const link = linkAfter(confirm.text, 'Щоб підтвердити, відкрийте посилання й натисніть кнопку');
    assert.match(link, /&lang=uk$/);
    const page = await (await setup.app.request(pathOf(link))).text();
    assert.match(page, /<html lang="uk" dir="ltr">/);
    assert.match(page, /Надсилати листи на <strong>olena@example\.org<\/strong>, коли з’являться відповіді/);
    assert.match(page, /<button type="submit">Так, повідомляти про відповіді<\/button>/);
    const url = new URL(link);
    const res = await setup.app.postForm('/subscriptions/confirm?lang=uk', { id: url.searchParams.get('id')!, token: url.searchParams.get('token')! });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>Підписку оформлено<\/title>/);

    // A reply written in German reaches the Ukrainian subscriber in Ukrainian: the mail is for them.
    const reply = await setup.app.postJson('/comments?lang=de', { target: POST, author: 'Jörg', body: 'Gern geschehen' });
    assert.equal(reply.status, 201);
    await setup.flush();
    const mail = setup.smtp.to('olena@example.org').at(-1)!;
    assert.match(mail.subject, /^Нова відповідь, автор: Jörg — http:\/\/blog\.example\//);
    assert.match(mail.text, /Gern geschehen/);
    assert.match(mail.headers.get('list-unsubscribe') ?? '', /&lang=uk>$/);
  });

  test('an invalid link page follows Accept-Language when the link carries no language', async () => {
    const res = await setup.app.request('/subscriptions/confirm?id=999&token=nope', { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /<html lang="es" dir="ltr">/);
    assert.match(page, /Este enlace no es válido o ha caducado\./);
  });
});

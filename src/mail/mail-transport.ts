/**
 * Sends one prepared message over SMTP (nodemailer). Errors reject; the outbox decides about retries.
 * nodemailer (~1.8 MiB of heap) is loaded on the first mail, not at start-up.
 */
import type { Transporter } from 'nodemailer';

/** What the outbox stores for a mail: everything needed to send it again after a restart. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The HTML alternative (owner and reply mails); nodemailer sends it as multipart/alternative after `text`. */
  html?: string;
  headers?: Record<string, string>;
}

export interface MailTransport {
  /**
   * `messageId`: the same for every attempt of one outbox item, so a mail sent again after a crash
   * between the relay's acceptance and our record of it is the same message (RFC 5322 §3.6.4) and
   * can be dropped as a repeat by whoever sees both.
   */
  send(mail: OutgoingMail, messageId?: string): Promise<void>;
  close(): void;
}

export function createMailTransport(smtpUrl: string): MailTransport {
  let made: Promise<Transporter> | undefined;
  const transporter = () => (made ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({
    url: smtpUrl,
    // Bounded so a hung relay costs one lease, not the worker.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  })));
  return {
    async send(mail: OutgoingMail, messageId?: string): Promise<void> {
      // `to` as an address object: a reader-supplied address is never parsed as a list of recipients.
      await (await transporter()).sendMail({ from: mail.from, to: { name: '', address: mail.to }, subject: mail.subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}), headers: mail.headers, messageId });
    },
    close: () => void made?.then((t) => t.close()),
  };
}

/** Reads an OutgoingMail back from outbox JSON; refuses anything malformed rather than sending it. */
export function toOutgoingMail(payload: Record<string, unknown>): OutgoingMail | undefined {
  const { from, to, subject, text, html, headers } = payload;
  if (typeof from !== 'string' || typeof to !== 'string' || typeof subject !== 'string' || typeof text !== 'string') return undefined;
  const mail: OutgoingMail = { from, to, subject, text };
  if (typeof html === 'string') mail.html = html;
  if (headers && typeof headers === 'object') {
    mail.headers = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  return mail;
}

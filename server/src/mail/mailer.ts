import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** False when no SMTP server is configured: nothing is queued or sent. */
  readonly enabled: boolean;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer, configured from the environment (SMTP_URL or SMTP_HOST …, MAIL_FROM). */
export function createMailer(config: Config['mail'], log: Logger): Mailer {
  if (config.transport === null) {
    return {
      enabled: false,
      send: async () => {
        throw new Error('mail is not configured (SMTP_URL or SMTP_HOST)');
      },
      close: () => undefined,
    };
  }
  const transport: Transporter = nodemailer.createTransport(config.transport);
  return {
    enabled: true,
    async send(mail) {
      const info = await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      log.debug({ messageId: info.messageId }, 'mail sent');
    },
    close: () => transport.close(),
  };
}

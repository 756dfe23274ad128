import { OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { Mailer, MailMessage } from './mailer';

// A relay that stops answering must not pin a background send for nodemailer's default 10 minutes.
const SOCKET_TIMEOUT_MS = 30_000;

/** Hands mail to the SMTP relay of SMTP_URL (smtps:// for implicit TLS, smtp:// upgrades with STARTTLS when offered). */
export class SmtpMailer extends Mailer implements OnApplicationShutdown {
  private readonly transport;

  constructor(smtpUrl: string, from: string) {
    super();
    const url = new URL(smtpUrl);
    this.transport = createTransport(
      {
        host: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        secure: url.protocol === 'smtps:',
        auth: url.username
          ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
          : undefined,
        connectionTimeout: SOCKET_TIMEOUT_MS,
        greetingTimeout: SOCKET_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
      },
      { from },
    );
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ to: message.to, subject: message.subject, text: message.text, html: message.html });
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

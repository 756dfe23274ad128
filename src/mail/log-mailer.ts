import { Logger, LoggerService } from '@nestjs/common';
import { Mailer, MailMessage } from './mailer';

/**
 * Writes mail to the log when no SMTP relay is configured. The body carries one-time links, which
 * are credentials: it is logged only outside production, where a developer needs the link to
 * follow the flow; in production only the recipient and subject are, so a log reader cannot take
 * over an account.
 */
export class LogMailer extends Mailer {
  constructor(
    private readonly revealBody: boolean,
    private readonly logger: Pick<LoggerService, 'log'> = new Logger('Mail'),
  ) {
    super();
  }

  send(message: MailMessage): Promise<void> {
    const summary = { to: message.to, subject: message.subject };
    if (this.revealBody) {
      this.logger.log({ mail: { ...summary, body: message.text } }, 'Mail not sent (SMTP_URL is unset); body logged');
    } else {
      this.logger.log({ mail: summary }, 'Mail not sent (SMTP_URL is unset)');
    }
    return Promise.resolve();
  }
}

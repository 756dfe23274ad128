import { Mailer, MailMessage } from './mailer';

/** A Mailer for unit specs: every message handed over, dispatched or sent, recorded at once. */
export class RecordingMailer extends Mailer {
  readonly sent: MailMessage[] = [];

  send(message: MailMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }

  override dispatch(message: MailMessage): void {
    this.sent.push(message);
  }
}

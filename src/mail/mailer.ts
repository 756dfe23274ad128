import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { BackgroundTasks } from '../common/background/background-tasks';

/** One message, in both forms every mail client can show. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Where mail goes: SMTP when SMTP_URL is set, the log otherwise. Inject this, never a transport.
 * `send` resolves once the message is handed over and rejects when that fails.
 */
export abstract class Mailer implements BeforeApplicationShutdown {
  private readonly background = new BackgroundTasks(new Logger('Mail'));

  abstract send(message: MailMessage): Promise<void>;

  /**
   * Sends without making the caller wait, for use after a commit: a request never waits on (or
   * fails because of) the relay, and a failure is logged with the subject, never the body.
   */
  dispatch(message: MailMessage): void {
    this.background.run(`Sending "${message.subject}"`, () => this.send(message));
  }

  /** Mail handed to dispatch before shutdown still goes out. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.background.drain();
  }
}

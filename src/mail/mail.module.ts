import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LogMailer } from './log-mailer';
import { Mailer } from './mailer';

/** The Mailer: SMTP through nodemailer when SMTP_URL is set, the log otherwise. */
@Module({
  providers: [
    {
      provide: Mailer,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<Mailer> => {
        if (config.mail.smtpUrl) {
          // Loaded only when used: nodemailer adds ~50-200 ms to every boot otherwise.
          const { SmtpMailer } = await import('./smtp-mailer.js');
          return new SmtpMailer(config.mail.smtpUrl, config.mail.from);
        }
        if (config.isProduction) {
          new Logger('Mail').warn('SMTP_URL is unset: verification and password-reset mail is only logged, not sent');
        }
        return new LogMailer(!config.isProduction);
      },
    },
  ],
  exports: [Mailer],
})
export class MailModule {}

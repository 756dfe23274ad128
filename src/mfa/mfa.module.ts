import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { MfaAdminController } from './mfa-admin.controller';
import { MfaChallengesPurgeService } from './mfa-challenges-purge.service';
import { MfaController } from './mfa.controller';
import { MfaRepository } from './mfa.repository';
import { MfaService } from './mfa.service';

/** Second factors: TOTP authenticators, recovery codes, and the challenges of logins waiting for one. */
@Module({
  imports: [UsersModule, SessionsModule, PasskeysModule, AuditModule, MailModule],
  controllers: [MfaController, MfaAdminController],
  providers: [MfaService, MfaRepository, MfaChallengesPurgeService],
  exports: [MfaService, PasskeysModule],
})
export class MfaModule {}

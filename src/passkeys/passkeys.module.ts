import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { PasskeysController } from './passkeys.controller';
import { PasskeysRepository } from './passkeys.repository';
import { PasskeysService } from './passkeys.service';
import { WebauthnChallengesPurgeService } from './webauthn-challenges-purge.service';

/** Passkeys (WebAuthn): registering and managing them, and verifying their assertions. */
@Module({
  imports: [UsersModule, AuditModule, MailModule],
  controllers: [PasskeysController],
  providers: [PasskeysService, PasskeysRepository, WebauthnChallengesPurgeService],
  exports: [PasskeysService],
})
export class PasskeysModule {}

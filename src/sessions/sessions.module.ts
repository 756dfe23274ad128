import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TokensModule } from '../tokens/tokens.module';
import { SessionsPurgeService } from './purge/sessions-purge.service';
import { revocationChannelProvider } from './revocation/revocation-channel.provider';
import { RevokedSessionsService } from './revocation/revoked-sessions.service';
import { SessionRevocationsRepository } from './revocation/session-revocations.repository';
import { SessionIssuer } from './session-issuer';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/** Sessions as refresh-token families: issuing and rotating them, revoking them everywhere, purging them. */
@Module({
  imports: [TokensModule, AuditModule],
  controllers: [SessionsController],
  providers: [
    SessionIssuer,
    SessionsService,
    SessionsRepository,
    SessionRevocationsRepository,
    SessionsPurgeService,
    RevokedSessionsService,
    revocationChannelProvider,
  ],
  exports: [SessionIssuer, SessionsService, RevokedSessionsService],
})
export class SessionsModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { TokensModule } from '../tokens/tokens.module';
import { RefreshRotationStore } from './refresh-rotation.store';
import { SessionGrantStore } from './session-grant.store';
import { revocationTransportProvider } from './revocation-transport.provider';
import { SessionsPurgeService } from './sessions-purge.service';
import { SessionsController } from './sessions.controller';
import { RevokedSessionsService } from './revoked-sessions.service';
import { SessionsService } from './sessions.service';

/** Refresh-token families and their revocation, shared by authentication and user administration. */
@Module({
  imports: [TokensModule, AuditModule],
  controllers: [SessionsController],
  providers: [
    SessionsService,
    RefreshRotationStore,
    SessionGrantStore,
    SessionsPurgeService,
    RevokedSessionsService,
    revocationTransportProvider,
  ],
  exports: [SessionsService, RevokedSessionsService],
})
export class SessionsModule {}

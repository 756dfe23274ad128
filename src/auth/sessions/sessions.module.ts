import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { TokensModule } from '../tokens/tokens.module';
import { SessionsController } from './sessions.controller';
import { RevokedSessionsService } from './revoked-sessions.service';
import { SessionsService } from './sessions.service';

/** Refresh-token families and their revocation, shared by authentication and user administration. */
@Module({
  imports: [TokensModule, AuditModule],
  controllers: [SessionsController],
  providers: [SessionsService, RevokedSessionsService],
  exports: [SessionsService, RevokedSessionsService],
})
export class SessionsModule {}

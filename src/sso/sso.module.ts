import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { IdentitiesRepository } from './identities.repository';
import { IdentitiesService } from './identities.service';
import { SsoFlowService } from './sso-flow.service';
import { SsoProviders } from './sso-providers';
import { SsoPurgeService } from './sso-purge.service';
import { SsoRepository } from './sso.repository';

/** Single sign-on with OpenID Connect providers: their discovery, the redirect flow, and identities. */
@Module({
  imports: [AuditModule],
  providers: [SsoProviders, SsoFlowService, SsoRepository, IdentitiesRepository, IdentitiesService, SsoPurgeService],
  exports: [SsoProviders, SsoFlowService, IdentitiesService],
})
export class SsoModule {}

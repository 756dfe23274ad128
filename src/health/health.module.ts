import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SessionsModule } from '../sessions/sessions.module';
import { SsoModule } from '../sso/sso.module';
import { HealthController } from './health.controller';
import { InstanceRegistry } from './instances/instance-registry';
import { ServiceInstancesRepository } from './instances/service-instances.repository';
import { ReadinessService } from './readiness.service';

@Module({
  // Terminus logs every failed check on its own; the request log already records the 503.
  imports: [TerminusModule.forRoot({ logger: false }), SsoModule, SessionsModule],
  controllers: [HealthController],
  providers: [ReadinessService, ServiceInstancesRepository, InstanceRegistry],
})
export class HealthModule {}

import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { auditExporterProvider } from './export/audit-exporter.provider';

@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditRepository, auditExporterProvider],
  exports: [AuditService],
})
export class AuditModule {}

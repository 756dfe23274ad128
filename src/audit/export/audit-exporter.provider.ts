import { Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AuditExporter, NoAuditExport, StdoutAuditExport } from './audit-exporter';
import { WebhookAuditExport } from './webhook-audit-export';

export const auditExporterProvider: Provider = {
  provide: AuditExporter,
  inject: [AppConfig],
  useFactory: ({ auditExport }: AppConfig): AuditExporter => {
    switch (auditExport.kind) {
      case 'off':
        return new NoAuditExport();
      case 'stdout':
        return new StdoutAuditExport();
      case 'webhook':
        return new WebhookAuditExport(auditExport.url, auditExport.secret);
    }
  },
};

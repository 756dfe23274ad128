import type { Prisma } from '../../generated/prisma/client';
import type { AuditRow } from '../audit.repository';

/** An audit event as it leaves the service: the row as committed, its id included, its time in ISO 8601. */
export interface ExportedAuditEvent extends Omit<AuditRow, 'details'> {
  readonly id: string;
  readonly occurredAt: string;
  readonly details: Prisma.InputJsonObject | null;
}

/** Where committed audit events go besides audit_events (AUDIT_EXPORT); an abstract class to inject by type. */
export abstract class AuditExporter {
  /** Called once the event's transaction committed; never throws, never waits for delivery. */
  abstract export(event: ExportedAuditEvent): void;
}

export class NoAuditExport extends AuditExporter {
  export(): void {}
}

/** One JSON line per event on stdout, `{"audit": {...}}`, for a log shipper to route apart from the logs. */
export class StdoutAuditExport extends AuditExporter {
  export(event: ExportedAuditEvent): void {
    process.stdout.write(`${JSON.stringify({ audit: event })}\n`);
  }
}

import { Injectable } from '@nestjs/common';
import type { Page } from '../common/pagination/page.dto';
import type { AuditEvent, AuditEventType, Prisma } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { Metrics } from '../metrics/metrics';
import { AuditRepository, AuditRow, AuditSelection, WrittenAuditRow } from './audit.repository';
import { AuditExporter, NoAuditExport } from './export/audit-exporter';

/** The request an event came from, as the audit row keeps it. */
export interface AuditOrigin {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface AuditEventInput {
  readonly type: AuditEventType;
  readonly actorId?: string | null;
  readonly subjectId?: string | null;
  readonly email?: string | null;
  readonly sessionId?: string | null;
  readonly origin?: AuditOrigin;
  /** Specifics without secrets: no password, token, hash or key ever goes here. */
  readonly details?: Prisma.InputJsonObject;
}

export type AuditEventFilter = AuditSelection;

/**
 * The security audit trail. An event about a change is recorded in the transaction of that change,
 * so the trail never shows a change that rolled back nor misses one that committed.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly events: AuditRepository,
    private readonly metrics: Metrics,
    private readonly exporter: AuditExporter = new NoAuditExport(),
  ) {}

  /**
   * Counted in auth_events_total and exported (AUDIT_EXPORT) once the transaction commits: a
   * rolled-back event never happened.
   */
  async record(transaction: Transaction, event: AuditEventInput): Promise<void> {
    const row = toRow(event);
    const written = await this.events.insert(transaction, row);
    transaction.afterCommit(() => this.committed(row, written));
  }

  /** An event that changes nothing else (a refused login, a refused check): written on its own. */
  async recordAlone(event: AuditEventInput): Promise<void> {
    const row = toRow(event);
    this.committed(row, await this.events.insertAlone(row));
  }

  private committed(row: AuditRow, written: WrittenAuditRow): void {
    this.metrics.authEvents.inc({ type: row.type });
    this.exporter.export({
      ...row,
      id: written.id,
      occurredAt: written.occurredAt.toISOString(),
      details: row.details ?? null,
    });
  }

  list(filter: AuditEventFilter): Promise<Page<AuditEvent>> {
    return this.events.page(filter);
  }
}

function toRow(event: AuditEventInput): AuditRow {
  return {
    type: event.type,
    actorId: event.actorId ?? null,
    subjectId: event.subjectId ?? null,
    email: event.email ?? null,
    sessionId: event.sessionId ?? null,
    ip: event.origin?.ip ?? null,
    userAgent: event.origin?.userAgent ?? null,
    details: event.details,
  };
}

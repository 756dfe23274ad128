import { Injectable } from '@nestjs/common';
import type { Page } from '../common/pagination/page.dto';
import type { AuditEvent, AuditEventType, Prisma } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { Metrics } from '../metrics/metrics';
import { AuditRepository, AuditRow, AuditSelection } from './audit.repository';

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
  ) {}

  /** Counted in auth_events_total once the transaction commits: a rolled-back event never happened. */
  async record(transaction: Transaction, event: AuditEventInput): Promise<void> {
    await this.events.insert(transaction, toRow(event));
    transaction.afterCommit(() => this.metrics.authEvents.inc({ type: event.type }));
  }

  /** An event that changes nothing else (a refused login, a refused check): written on its own. */
  async recordAlone(event: AuditEventInput): Promise<void> {
    await this.events.insertAlone(toRow(event));
    this.metrics.authEvents.inc({ type: event.type });
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

import { Injectable } from '@nestjs/common';
import type { Page } from '../common/pagination/page.dto';
import { pageWindow } from '../common/pagination/page.dto';
import type { AuditEvent, AuditEventType, Prisma } from '../generated/prisma/client';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

/** An audit row as written: who, about whom, from where, and specifics without secrets. */
export interface AuditRow {
  readonly type: AuditEventType;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly email: string | null;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly details: Prisma.InputJsonObject | undefined;
}

/** What the database gave a row as it was written. */
export interface WrittenAuditRow {
  readonly id: string;
  readonly occurredAt: Date;
}

const WRITTEN = { id: true, occurredAt: true } as const;

export interface AuditSelection {
  /** Events the user acted in or was the subject of. */
  readonly userId?: string;
  readonly type?: AuditEventType;
  readonly page: number;
  readonly limit: number;
}

/** The audit_events table: appended to, never updated. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  insert(transaction: Transaction, row: AuditRow): Promise<WrittenAuditRow> {
    return clientOf(transaction).auditEvent.create({ data: row, select: WRITTEN });
  }

  /** An event no other write depends on (a refused login): one statement, atomic on its own. */
  insertAlone(row: AuditRow): Promise<WrittenAuditRow> {
    return this.prisma.auditEvent.create({ data: row, select: WRITTEN });
  }

  /** Newest first, with the id breaking ties so pages never overlap or skip. */
  async page(selection: AuditSelection): Promise<Page<AuditEvent>> {
    const where: Prisma.AuditEventWhereInput = {
      ...(selection.userId ? { OR: [{ subjectId: selection.userId }, { actorId: selection.userId }] } : {}),
      ...(selection.type ? { type: selection.type } : {}),
    };
    const [items, total] = await this.prisma.$transaction([
      this.prisma.auditEvent.findMany({
        where,
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        ...pageWindow(selection),
      }),
      this.prisma.auditEvent.count({ where }),
    ]);
    return { items, total, page: selection.page, limit: selection.limit };
  }
}

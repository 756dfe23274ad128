import { Injectable } from '@nestjs/common';
import { Page, pageWindow } from '../common/pagination/page.dto';
import { AuditEvent, AuditEventType, Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

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

export interface AuditEventFilter {
  /** Events the user acted in or was the subject of. */
  readonly userId?: string;
  readonly type?: AuditEventType;
  readonly page: number;
  readonly limit: number;
}

/** The security audit trail. Callers record inside the transaction of the change the event describes. */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  async record(event: AuditEventInput, transaction: Prisma.TransactionClient = this.prisma): Promise<void> {
    await transaction.auditEvent.create({
      data: {
        type: event.type,
        actorId: event.actorId ?? null,
        subjectId: event.subjectId ?? null,
        email: event.email ?? null,
        sessionId: event.sessionId ?? null,
        ip: event.origin?.ip ?? null,
        userAgent: event.origin?.userAgent ?? null,
        details: event.details,
      },
    });
  }

  /** Newest first, with the id breaking ties so pages never overlap or skip. */
  async list(filter: AuditEventFilter): Promise<Page<AuditEvent>> {
    const where: Prisma.AuditEventWhereInput = {
      ...(filter.userId ? { OR: [{ subjectId: filter.userId }, { actorId: filter.userId }] } : {}),
      ...(filter.type ? { type: filter.type } : {}),
    };
    const [items, total] = await this.prisma.$transaction([
      this.prisma.auditEvent.findMany({
        where,
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        ...pageWindow(filter),
      }),
      this.prisma.auditEvent.count({ where }),
    ]);
    return { items, total, page: filter.page, limit: filter.limit };
  }
}

import { randomUUID } from 'node:crypto';
import type { Page } from '../common/pagination/page.dto';
import { pageWindow } from '../common/pagination/page.dto';
import type { AuditEvent, Prisma } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import type { AuditRepository, AuditRow, AuditSelection, WrittenAuditRow } from './audit.repository';

/** An audit row as the fake keeps it: with its id, its time, and whether it was written on its own. */
export interface RecordedAuditRow extends AuditRow {
  readonly id: string;
  readonly occurredAt: Date;
  readonly alone: boolean;
}

/** AuditRepository in memory, for unit specs: the rows in the order they were written. */
export class InMemoryAuditRepository implements Pick<AuditRepository, keyof AuditRepository> {
  readonly rows: RecordedAuditRow[] = [];

  /**
   * The row appears once the transaction commits, as it would to any other reader: InMemoryTransactions
   * runs no afterCommit effect when the work throws, so a spec sees no row of a change that failed.
   */
  insert(transaction: Transaction, row: AuditRow): Promise<WrittenAuditRow> {
    transaction.afterCommit(() => this.rows.push(recorded(row, false)));
    return Promise.resolve({ id: randomUUID(), occurredAt: new Date() });
  }

  insertAlone(row: AuditRow): Promise<WrittenAuditRow> {
    this.rows.push(recorded(row, true));
    return Promise.resolve({ id: randomUUID(), occurredAt: new Date() });
  }

  /** The rows of one type, oldest first. */
  ofType(type: AuditRow['type']): RecordedAuditRow[] {
    return this.rows.filter((row) => row.type === type);
  }

  page(selection: AuditSelection): Promise<Page<AuditEvent>> {
    // Newest first: the reverse of the order written.
    const matching = this.rows
      .filter(
        (row) =>
          (selection.userId === undefined || row.subjectId === selection.userId || row.actorId === selection.userId) &&
          (selection.type === undefined || row.type === selection.type),
      )
      .reverse();
    const { skip, take } = pageWindow(selection);
    const items = matching.slice(skip, skip + take).map(toEvent);
    return Promise.resolve({ items, total: matching.length, page: selection.page, limit: selection.limit });
  }
}

function recorded(row: AuditRow, alone: boolean): RecordedAuditRow {
  return { ...row, id: randomUUID(), occurredAt: new Date(), alone };
}

function toEvent({ alone: _alone, details, ...row }: RecordedAuditRow): AuditEvent {
  // Stored as jsonb and read back: what JSON keeps of the details.
  return { ...row, details: details === undefined ? null : (JSON.parse(JSON.stringify(details)) as Prisma.JsonObject) };
}

import type { Transaction } from '../../prisma/transaction';

/** When a revocation was decided and by which instance, as the revoking instance announced it. */
export interface RevocationSent {
  /** Epoch milliseconds on the revoking instance's clock. */
  readonly revokedAt: number;
  /** A random id the announcing process chose at boot, so that it can tell its own echo apart. */
  readonly origin: string;
}

/** What one instance tells the others: the sessions it revoked, when, and that it was this one. */
export interface RevocationAnnouncement extends RevocationSent {
  readonly sessionIds: readonly string[];
}

/** What a channel hands revocations to, on every instance including the one that revoked. */
export interface RevocationSubscriber {
  /** Sessions some instance revoked; `sent` is missing when an instance of an earlier release announced them. */
  revoked(sessionIds: readonly string[], sent: RevocationSent | undefined): void;
  /**
   * The subscription is in place again after a (re)connection; whatever was announced while it was
   * down is lost, so the subscriber reloads from the table. A throw counts as a failed connection.
   */
  resubscribed(): Promise<void>;
}

/**
 * How revoked session ids travel between instances: Postgres NOTIFY, or Redis pub/sub where LISTEN is
 * unavailable (PgBouncer in transaction mode). An abstract class so it can be injected by type.
 */
export abstract class RevocationChannel {
  /** Runs inside the revoking transaction, so only committed revocations are announced (Postgres). */
  abstract announceInTransaction(transaction: Transaction, announcement: RevocationAnnouncement): Promise<void>;

  /** Runs after the revoking transaction committed (Redis); a crash just before it loses the message. */
  abstract announceCommitted(announcement: RevocationAnnouncement): Promise<void>;

  /** Connects and keeps reconnecting until close(); resolves once the first attempt succeeded or failed. */
  abstract subscribe(subscriber: RevocationSubscriber): Promise<void>;

  abstract close(): Promise<void>;

  /** What readiness should report about the channel while it works but not as it should; nothing by default. */
  problem(): string | undefined {
    return undefined;
  }
}

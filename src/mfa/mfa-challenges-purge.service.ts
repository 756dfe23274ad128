import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { deleteInBatches } from '../prisma/batched-deletion';
import { ScheduledDeletion } from '../prisma/scheduled-deletion';
import { Transactions } from '../prisma/transactions';
import { MfaRepository } from './mfa.repository';

const BATCH_SIZE = 1000;
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const LOCK_NAME = 'auth-service:mfa-challenges-purge';

/** Deletes the challenges of logins past their five minutes (completed or not), every ten minutes. */
@Injectable()
export class MfaChallengesPurgeService extends ScheduledDeletion {
  constructor(
    private readonly factors: MfaRepository,
    private readonly transactions: Transactions,
  ) {
    super(new Logger(MfaChallengesPurgeService.name), 'MFA challenge purge');
  }

  @Interval('mfa-challenges-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  async purgeExpired(now: Date = new Date()): Promise<number> {
    const { deleted } = await deleteInBatches(this.transactions, {
      lockName: LOCK_NAME,
      batchSize: BATCH_SIZE,
      deleteBatch: (transaction) => this.factors.deleteExpiredChallenges(transaction, now, BATCH_SIZE),
      stopping: () => this.stopping,
    });
    if (deleted > 0) this.logger.log(`Purged ${deleted} expired MFA challenge(s)`);
    return deleted;
  }
}

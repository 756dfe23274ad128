import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { deleteInBatches } from '../prisma/batched-deletion';
import { ScheduledDeletion } from '../prisma/scheduled-deletion';
import { Transactions } from '../prisma/transactions';
import { PasskeysRepository } from './passkeys.repository';

const BATCH_SIZE = 1000;
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const LOCK_NAME = 'auth-service:webauthn-challenges-purge';

/** Deletes the passkey challenges past their five minutes that no ceremony used, every ten minutes. */
@Injectable()
export class WebauthnChallengesPurgeService extends ScheduledDeletion {
  constructor(
    private readonly passkeys: PasskeysRepository,
    private readonly transactions: Transactions,
  ) {
    super(new Logger(WebauthnChallengesPurgeService.name), 'Passkey challenge purge');
  }

  @Interval('webauthn-challenges-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  async purgeExpired(now: Date = new Date()): Promise<number> {
    const { deleted } = await deleteInBatches(this.transactions, {
      lockName: LOCK_NAME,
      batchSize: BATCH_SIZE,
      deleteBatch: (transaction) => this.passkeys.deleteExpiredChallenges(transaction, now, BATCH_SIZE),
      stopping: () => this.stopping,
    });
    if (deleted > 0) this.logger.log(`Purged ${deleted} expired passkey challenge(s)`);
    return deleted;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import type { ClientInfo } from '../../common/client-address/client-info';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { FailureCounter, thresholdRule } from './failure-counter';
import { LimiterStore } from './limiter-store';
import { lockoutKeyOf } from './lockout-keys';
import { NewLock, runReservedAttempt } from './reserved-attempt';

/**
 * Second-factor guessing: a six-digit code has a million values, so per account LOCKOUT_THRESHOLD
 * wrong codes (TOTP or recovery) within LOCKOUT_DURATION lock its second factor for LOCKOUT_DURATION,
 * shared by every instance through Redis. A point is reserved before each check, so concurrent
 * guesses cannot pass the limit; a right code resets the count.
 */
@Injectable()
export class MfaAttemptsService {
  private readonly failures: FailureCounter;

  constructor(
    store: LimiterStore,
    @Inject(AppConfig) config: AppConfig,
    private readonly audit: AuditService,
  ) {
    this.failures = new FailureCounter(store, 'mfa', thresholdRule(config.bruteForce.lockout));
  }

  attempt<T>(userId: string, client: ClientInfo, checkSecondFactor: () => Promise<T>): Promise<T> {
    return runReservedAttempt(
      [{ name: 'account', counter: this.failures, key: lockoutKeyOf(`mfa\n${userId}`), onSuccess: 'reset' }],
      checkSecondFactor,
      {
        isFailure: (error) => error instanceof DomainError && error.code === 'INVALID_MFA_CODE',
        refusal: (retryAfterSeconds) =>
          new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong codes; try again later', { retryAfterSeconds }),
        failed: (locks) => this.recordFailure(userId, client, locks),
      },
    );
  }

  private async recordFailure(userId: string, client: ClientInfo, locks: ReadonlyArray<NewLock>): Promise<void> {
    await this.audit.recordAlone({ type: 'MFA_FAILED', actorId: userId, subjectId: userId, origin: client });
    for (const lock of locks) {
      await this.audit.recordAlone({
        type: 'MFA_LOCKED',
        subjectId: userId,
        origin: client,
        details: { until: lock.until.toISOString() },
      });
    }
  }
}

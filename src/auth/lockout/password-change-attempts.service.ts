import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { AuthenticatedUser } from '../../common/access-control/current-user.decorator';
import { ClientInfo } from '../../common/client-address/client-info';
import { CheckSlots } from './check-slots';
import { FailureCounter, thresholdRule } from './failure-counter';
import { LimiterStore } from './limiter-store';
import { lockoutKeyOf } from './lockout-keys';
import { isWrongPassword, NewLock, runReservedAttempt } from './reserved-attempt';

/**
 * The current-password check of change-password, which a stolen access token could otherwise use as
 * an unlimited password oracle and a way to queue bcrypt work. Per account: one check in flight at a
 * time (a concurrent one is refused), and LOCKOUT_THRESHOLD wrong passwords within LOCKOUT_DURATION
 * lock the account's password change for LOCKOUT_DURATION; a right password resets the count.
 */
@Injectable()
export class PasswordChangeAttemptsService {
  private readonly failures: FailureCounter;
  private readonly slots: CheckSlots;

  constructor(
    store: LimiterStore,
    @Inject(AppConfig) config: AppConfig,
    private readonly audit: AuditService,
  ) {
    const lockout = config.bruteForce.lockout;
    this.failures = new FailureCounter(store, 'password-change', thresholdRule(lockout));
    this.slots = new CheckSlots(store, 'password-check', lockout.checkSlotSeconds);
  }

  async attempt<T>(
    caller: AuthenticatedUser,
    account: { readonly email: string },
    client: ClientInfo,
    checkCurrentPassword: () => Promise<T>,
  ): Promise<T> {
    const key = lockoutKeyOf(caller.id);
    const held = await this.slots.holding(key, () =>
      runReservedAttempt([{ name: 'account', counter: this.failures, key, onSuccess: 'reset' }], checkCurrentPassword, {
        isFailure: isWrongPassword,
        refusal: (retryAfterSeconds) =>
          new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong current passwords; try again later', {
            retryAfterSeconds,
          }),
        failed: (locks) => this.recordFailure(caller, account, client, locks),
      }),
    );
    if (held.refused) {
      throw new DomainError('TOO_MANY_ATTEMPTS', 'A password check for this account is already in progress', {
        retryAfterSeconds: 1,
      });
    }
    return held.result;
  }

  private recordFailure(
    caller: AuthenticatedUser,
    account: { readonly email: string },
    client: ClientInfo,
    locks: ReadonlyArray<NewLock>,
  ): Promise<void> {
    const [lock] = locks;
    return this.audit.recordAlone({
      type: 'PASSWORD_CHANGE_FAILED',
      actorId: caller.id,
      subjectId: caller.id,
      email: account.email,
      sessionId: caller.sessionId,
      origin: client,
      details: { reason: 'INVALID_CREDENTIALS', ...(lock ? { lockedUntil: lock.until.toISOString() } : {}) },
    });
  }
}

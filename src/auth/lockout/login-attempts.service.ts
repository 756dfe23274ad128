import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { UsersService } from '../../users/users.service';
import { ClientInfo } from '../../common/client-address/client-info';
import { FailureCounter, thresholdRule } from './failure-counter';
import { LimiterStore } from './limiter-store';
import { lockoutKeyOf } from './lockout-keys';
import { AttemptScope, isWrongPassword, NewLock, runReservedAttempt } from './reserved-attempt';

type LockScope = 'pair' | 'account';

/**
 * Login lockout: an (email, client address) pair after LOCKOUT_THRESHOLD failures, and an email for
 * everyone after ACCOUNT_FAILURE_LIMIT failures in an hour. Emails are counted whether or not an
 * account has them, so a locked answer says nothing about who is registered.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly pair: FailureCounter;
  private readonly account: FailureCounter;

  constructor(
    store: LimiterStore,
    @Inject(AppConfig) config: AppConfig,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {
    const lockout = config.bruteForce.lockout;
    this.pair = new FailureCounter(store, 'pair', thresholdRule(lockout));
    this.account = new FailureCounter(store, 'account', {
      limit: lockout.accountFailureLimit,
      windowSeconds: lockout.accountWindowSeconds,
      lockSeconds: lockout.durationSeconds,
    });
  }

  /**
   * Runs the password check unless the pair or the email is locked, or its remaining failures are all
   * reserved by checks in flight. A refused attempt costs no bcrypt time, and its answer is the same
   * for every email. A right password resets the pair's count and gives the email's point back.
   */
  attempt<T>(email: string, client: ClientInfo, checkPassword: () => Promise<T>): Promise<T> {
    // IPv6 clients count per /64, as they can pick any address in it.
    const address = client.ip ? normalizeIp(client.ip) : 'unknown';
    const scopes: Array<AttemptScope<LockScope>> = [
      { name: 'pair', counter: this.pair, key: lockoutKeyOf(`${email}\n${address}`), onSuccess: 'reset' },
      { name: 'account', counter: this.account, key: lockoutKeyOf(email), onSuccess: 'give-back' },
    ];
    return runReservedAttempt(scopes, checkPassword, {
      isFailure: isWrongPassword,
      refusal: (retryAfterSeconds) =>
        new DomainError('TOO_MANY_ATTEMPTS', 'Too many failed login attempts; try again later', { retryAfterSeconds }),
      failed: (locks) => this.recordLocks(email, client, locks),
    });
  }

  private async recordLocks(
    email: string,
    client: ClientInfo,
    locks: ReadonlyArray<NewLock<LockScope>>,
  ): Promise<void> {
    if (locks.length === 0) return;
    const user = await this.users.findByEmail(email);
    for (const lock of locks) {
      await this.audit.recordAlone({
        type: 'LOGIN_LOCKED',
        subjectId: user?.id,
        email,
        origin: client,
        details: { scope: lock.scope, until: lock.until.toISOString() },
      });
    }
  }
}

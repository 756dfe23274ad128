import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { LockoutConfig } from '../../config/brute-force-config';
import { UsersService } from '../../users/users.service';
import { ClientInfo } from '../sessions/client-info';
import { ATTEMPT_STORE, AttemptStore, FailureRule } from './attempt-store';

type LockScope = 'pair' | 'account';

/**
 * Login lockout: an (email, client address) pair after LOCKOUT_THRESHOLD consecutive failures, and
 * an email for everyone after ACCOUNT_FAILURE_LIMIT failures in an hour. Emails are counted whether
 * or not an account has them, so a locked answer says nothing about who is registered.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly lockout: LockoutConfig;
  private readonly keyPrefix: string;

  constructor(
    @Inject(ATTEMPT_STORE) private readonly store: AttemptStore,
    @Inject(AppConfig) config: AppConfig,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {
    this.lockout = config.bruteForce.lockout;
    this.keyPrefix = `${config.bruteForce.redisKeyPrefix}lockout:`;
  }

  /**
   * Runs the password check unless the pair or the email is locked. A locked attempt is refused
   * without checking the password: the answer is the same for every email, and an attacker's
   * requests then cost no bcrypt time.
   */
  async attempt<T>(email: string, client: ClientInfo, checkPassword: () => Promise<T>): Promise<T> {
    const keys = this.keysOf(email, client);
    const [pairMs, accountMs] = await this.store.lockRemainingMs([keys.pair, keys.account]);
    const remainingMs = Math.max(pairMs, accountMs);
    if (remainingMs > 0) {
      throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many failed login attempts; try again later', {
        retryAfterSeconds: remainingMs / 1000,
      });
    }

    let result: T;
    try {
      result = await checkPassword();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') {
        await this.countFailure(email, client, keys);
      }
      throw error;
    }
    await this.store.reset(keys.pair);
    return result;
  }

  private async countFailure(email: string, client: ClientInfo, keys: Record<LockScope, string>): Promise<void> {
    const lockMs = this.lockout.durationSeconds * 1000;
    const rules: Record<LockScope, FailureRule> = {
      // Sliding: the pair's count lasts as long as failures keep coming, until a success resets it.
      pair: { limit: this.lockout.threshold, windowMs: lockMs, sliding: true, lockMs },
      account: {
        limit: this.lockout.accountFailureLimit,
        windowMs: this.lockout.accountWindowSeconds * 1000,
        sliding: false,
        lockMs,
      },
    };
    for (const scope of ['pair', 'account'] as const) {
      if (await this.store.countFailure(keys[scope], rules[scope])) {
        await this.recordLock(scope, email, client, new Date(Date.now() + lockMs));
      }
    }
  }

  private async recordLock(scope: LockScope, email: string, client: ClientInfo, until: Date): Promise<void> {
    const user = await this.users.findByEmail(email);
    await this.audit.record({
      type: 'LOGIN_LOCKED',
      subjectId: user?.id,
      email,
      origin: client,
      details: { scope, until: until.toISOString() },
    });
  }

  // Hashed, so Redis never holds an email; IPv6 clients count per /64, as they can pick any address in it.
  private keysOf(email: string, client: ClientInfo): Record<LockScope, string> {
    const address = client.ip ? normalizeIp(client.ip) : 'unknown';
    return {
      pair: `${this.keyPrefix}pair:${sha256(`${email}\n${address}`)}`,
      account: `${this.keyPrefix}account:${sha256(email)}`,
    };
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

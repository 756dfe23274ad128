import { DomainError } from '../../common/errors/domain.error';
import { FailureCounter } from './failure-counter';
import { LimiterStore } from './limiter-store';
import { AttemptOutcomes, AttemptScope, isWrongPassword, NewLock, runReservedAttempt } from './reserved-attempt';

const wrongPassword = () => Promise.reject(new DomainError('INVALID_CREDENTIALS', 'wrong'));
const rightPassword = () => Promise.resolve('signed in');

describe('runReservedAttempt', () => {
  let pair: FailureCounter;
  let account: FailureCounter;
  let locks: NewLock[];
  let scopes: AttemptScope[];
  const outcomes: AttemptOutcomes<string> = {
    isFailure: isWrongPassword,
    refusal: (retryAfterSeconds) => new DomainError('TOO_MANY_ATTEMPTS', 'later', { retryAfterSeconds }),
    failed: (set) => {
      locks.push(...set);
      return Promise.resolve();
    },
  };

  beforeEach(() => {
    const store = new LimiterStore('test:');
    pair = new FailureCounter(store, 'pair', { limit: 3, windowSeconds: 900, lockSeconds: 900 });
    account = new FailureCounter(store, 'account', { limit: 5, windowSeconds: 3600, lockSeconds: 900 });
    locks = [];
    scopes = [
      { name: 'pair', counter: pair, key: 'p', onSuccess: 'reset' },
      { name: 'account', counter: account, key: 'a', onSuccess: 'give-back' },
    ];
  });

  const attempt = (check: () => Promise<string>, within = scopes) => runReservedAttempt(within, check, outcomes);
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'OK',
      (error: DomainError) => error.code,
    );

  it('runs at most `limit` of many concurrent checks, and the one that fills the window locks, once', async () => {
    let checks = 0;
    const slowWrong = async () => {
      checks += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return wrongPassword();
    };
    const codes = await Promise.all(Array.from({ length: 30 }, () => codeOf(attempt(slowWrong))));
    expect(checks).toBe(3);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((code) => code === 'TOO_MANY_ATTEMPTS')).toHaveLength(27);
    expect(locks.map((lock) => lock.scope)).toEqual(['pair']);
    expect(locks[0].until.getTime() - Date.now()).toBeGreaterThan(899_000);
  });

  it('refuses while locked without running the check, with the time left', async () => {
    await pair.lock('p');
    const check = jest.fn(rightPassword);
    const refused = await attempt(check).catch((error: DomainError) => error);
    expect(check).not.toHaveBeenCalled();
    expect(refused).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    expect((refused as DomainError).extensions.retryAfterSeconds).toBeGreaterThan(899);
  });

  it('gives the other scopes their point back when one refuses', async () => {
    for (let i = 0; i < 5; i += 1) await codeOf(attempt(wrongPassword, [scopes[1]]));
    expect(await codeOf(attempt(rightPassword))).toBe('TOO_MANY_ATTEMPTS');
    // The pair lost nothing to the refusal: three wrong passwords still fit before its lock.
    for (let i = 0; i < 3; i += 1) expect((await pair.reserve('p')).granted).toBe(true);
  });

  it('resets the pair and gives the account its point back on a right password', async () => {
    for (let i = 0; i < 2; i += 1) await codeOf(attempt(wrongPassword));
    expect(await attempt(rightPassword)).toBe('signed in');
    for (let i = 0; i < 2; i += 1) await codeOf(attempt(wrongPassword));
    expect(await attempt(rightPassword)).toBe('signed in');
    // Four failures and two successes: the account has one failure left before it locks.
    expect(await codeOf(attempt(wrongPassword))).toBe('INVALID_CREDENTIALS');
    expect(locks).toEqual([expect.objectContaining({ scope: 'account' })]);
  });

  it('gives every point back on an error that is not a wrong password', async () => {
    const disabled = () => Promise.reject(new DomainError('ACCOUNT_DISABLED', 'disabled'));
    for (let i = 0; i < 10; i += 1) expect(await codeOf(attempt(disabled))).toBe('ACCOUNT_DISABLED');
    expect(locks).toEqual([]);
    expect(await attempt(rightPassword)).toBe('signed in');
  });
});

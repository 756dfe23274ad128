import { DomainError } from '../../common/errors/domain.error';
import { FailureCounter } from './failure-counter';

/** One counter an attempt is held to, under its key. */
export interface AttemptScope<Name extends string = string> {
  readonly name: Name;
  readonly counter: FailureCounter;
  readonly key: string;
  /** What a right password does to its reserved point: forget the whole run of failures, or give the point back. */
  readonly onSuccess: 'reset' | 'give-back';
}

/** A lock that a wrong password set. */
export interface NewLock<Name extends string = string> {
  readonly scope: Name;
  readonly until: Date;
}

export interface AttemptOutcomes<Name extends string> {
  /** True for the errors that are a wrong password: they keep their point. Any other error gives it back. */
  isFailure(error: unknown): boolean;
  /** The error for an attempt refused before its check (a lock, or every point reserved). */
  refusal(retryAfterSeconds: number): Error;
  /** Runs once a wrong password is counted, with the locks it set, before its error is rethrown. */
  failed(locks: ReadonlyArray<NewLock<Name>>): Promise<void>;
}

/**
 * Runs a password check held to every scope (STYLE 13): refused while a scope is locked; otherwise a
 * failure is reserved in each scope first, and the check runs only if every reservation was granted.
 */
export async function runReservedAttempt<T, Name extends string>(
  scopes: ReadonlyArray<AttemptScope<Name>>,
  check: () => Promise<T>,
  outcomes: AttemptOutcomes<Name>,
): Promise<T> {
  const lockedMs = Math.max(0, ...(await Promise.all(scopes.map((scope) => scope.counter.lockRemainingMs(scope.key)))));
  if (lockedMs > 0) throw outcomes.refusal(lockedMs / 1000);

  const reservations = await Promise.all(scopes.map((scope) => scope.counter.reserve(scope.key)));
  const reserved = scopes.filter((_, index) => reservations[index].granted);
  const refusedMs = reservations.map((reservation) => (reservation.granted ? 0 : reservation.retryAfterMs));
  if (reserved.length < scopes.length) {
    await giveBack(reserved);
    throw outcomes.refusal(Math.max(...refusedMs) / 1000);
  }

  let result: T;
  try {
    result = await check();
  } catch (error) {
    if (!outcomes.isFailure(error)) {
      await giveBack(scopes);
      throw error;
    }
    const locks: Array<NewLock<Name>> = [];
    for (const [index, scope] of scopes.entries()) {
      const reservation = reservations[index];
      if (reservation.granted && reservation.fillsWindow && (await scope.counter.lock(scope.key))) {
        locks.push({ scope: scope.name, until: new Date(Date.now() + scope.counter.rule.lockSeconds * 1000) });
      }
    }
    await outcomes.failed(locks);
    throw error;
  }
  await Promise.all(
    scopes.map((scope) =>
      scope.onSuccess === 'reset' ? scope.counter.reset(scope.key) : scope.counter.giveBack(scope.key),
    ),
  );
  return result;
}

/** The failure every lockout counts: a wrong password (login's answer for an unknown email too). */
export function isWrongPassword(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'INVALID_CREDENTIALS';
}

async function giveBack(scopes: ReadonlyArray<AttemptScope>): Promise<void> {
  await Promise.all(scopes.map((scope) => scope.counter.giveBack(scope.key)));
}

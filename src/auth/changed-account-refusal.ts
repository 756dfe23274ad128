import { DomainError } from '../common/errors/domain.error';
import type { UsersService } from '../users/users.service';

/**
 * The answer for credentials that were right when checked but changed before they were acted on (a
 * password change, reset, disable or role change that committed in between): ACCOUNT_DISABLED when
 * that is what changed, else the refusal of the credential used (a password's by default).
 */
export async function refusalOfChangedAccount(
  users: UsersService,
  userId: string,
  otherwise: () => DomainError = () => new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect'),
): Promise<DomainError> {
  const current = await users.findById(userId);
  if (current && current.status !== 'ACTIVE') return new DomainError('ACCOUNT_DISABLED', 'This account is disabled');
  return otherwise();
}

/** `revoke-sessions`: ends every live session of one user, as an admin's revocation does, and audits it. */
import { SessionsService } from '../sessions/sessions.service';
import { Transactions } from '../prisma/transactions';
import { UsersService } from '../users/users.service';
import { COMMAND_HELP, CommandFailure, UsageError } from './cli-usage';
import { withCliApp } from './cli-app';

type Values = Record<string, string | boolean | undefined>;

// The audit row keeps the note; a bound keeps a pasted file out of it.
const MAX_REASON_LENGTH = 500;

export async function revokeSessions(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const email = typeof values.user === 'string' ? values.user.trim().toLowerCase() : '';
  if (!email) throw new UsageError('--user <email> is required', COMMAND_HELP['revoke-sessions']);
  const reason = typeof values.reason === 'string' ? values.reason.trim() : undefined;
  if (reason !== undefined && reason.length > MAX_REASON_LENGTH) {
    throw new UsageError(`--reason must be at most ${MAX_REASON_LENGTH} characters`, COMMAND_HELP['revoke-sessions']);
  }

  return withCliApp(env, async (app) => {
    const user = await app.get(UsersService).findByEmail(email);
    if (!user) throw new CommandFailure(`No user has the email ${email}`);
    const sessions = app.get(SessionsService);
    // Revoked in one transaction with the audit row; Postgres NOTIFY tells every instance on commit.
    const ended = await app.get(Transactions).run((transaction) =>
      sessions.revokeAllForUserAndRecord(transaction, user.id, 'REVOKED_BY_ADMIN', {
        type: 'SESSION_REVOKED',
        email: user.email,
        details: { by: 'cli', ...(reason ? { reason } : {}) },
      }),
    );
    process.stdout.write(`Revoked ${ended} session${ended === 1 ? '' : 's'} of ${email}\n`);
    return 0;
  });
}

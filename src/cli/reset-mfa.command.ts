/** `reset-mfa`: removes a user's second factors and ends their sessions, as an admin's DELETE /users/:id/mfa does. */
import { MfaService } from '../mfa/mfa.service';
import { UsersService } from '../users/users.service';
import { COMMAND_HELP, CommandFailure, UsageError } from './cli-usage';
import { withCliApp } from './cli-app';

type Values = Record<string, string | boolean | undefined>;

export async function resetMfa(values: Values, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const email = typeof values.user === 'string' ? values.user.trim().toLowerCase() : '';
  if (!email) throw new UsageError('--user <email> is required', COMMAND_HELP['reset-mfa']);
  return withCliApp(env, async (app) => {
    const user = await app.get(UsersService).findByEmail(email);
    if (!user) throw new CommandFailure(`No user has the email ${email}`);
    await app.get(MfaService).reset({ id: null, via: 'cli' }, user.id);
    process.stdout.write(`Removed the second factors of ${email} and ended their sessions\n`);
    return 0;
  });
}

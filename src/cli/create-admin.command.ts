/** `create-admin`: an ADMIN account with a verified email, created only when no user has the email. */
import { AdminBootstrap } from '../auth/admin-bootstrap';
import { PasswordPolicy } from '../auth/passwords/password-policy';
import { COMMAND_HELP, CommandFailure, UsageError } from './cli-usage';
import { withCliApp } from './cli-app';

type Values = Record<string, string | boolean | undefined>;

export async function createAdmin(values: Values, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const email = typeof values.email === 'string' ? values.email.trim().toLowerCase() : '';
  if (!email) throw new UsageError('--email is required', COMMAND_HELP['create-admin']);
  const password = await passwordFrom(values, env);

  return withCliApp(env, async (app) => {
    const problems = app.get(PasswordPolicy).check(password, { email });
    if (problems.length > 0) {
      throw new CommandFailure(`The password is refused: password ${problems.map((p) => p.message).join('; ')}`);
    }
    const result = await app.get(AdminBootstrap).createUnlessTaken(email, password);
    if (result.created) {
      process.stdout.write(`Created admin ${email}\n`);
      return 0;
    }
    // Never changed, whatever its role: promoting an account is a decision for an admin in the API.
    if (result.role === 'ADMIN') {
      process.stdout.write(`Admin ${email} already exists; left unchanged\n`);
      return 0;
    }
    throw new CommandFailure(`A ${result.role ?? 'user'} account already has the email ${email}; left unchanged`);
  });
}

async function passwordFrom(values: Values, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const sources = [values['password-stdin'] === true, typeof values.password === 'string'].filter(Boolean).length;
  if (sources > 1) throw new UsageError('Give --password-stdin or --password, not both', COMMAND_HELP['create-admin']);
  let password: string | undefined;
  if (values['password-stdin'] === true) password = (await readStdin()).split(/\r?\n/)[0];
  else if (typeof values.password === 'string') password = values.password;
  else password = env.ADMIN_PASSWORD;
  if (!password) {
    throw new UsageError(
      'No password: pipe it with --password-stdin, or set ADMIN_PASSWORD',
      COMMAND_HELP['create-admin'],
    );
  }
  return password;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

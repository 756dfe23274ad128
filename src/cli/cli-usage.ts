/** The operator CLI's help texts and its usage error (exit code 2). */

export const COMMANDS = ['create-admin', 'revoke-sessions', 'reset-mfa', 'rotate-keys'] as const;
export type CommandName = (typeof COMMANDS)[number];

const DATABASE_COMMANDS: readonly CommandName[] = ['create-admin', 'revoke-sessions', 'reset-mfa'];

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

/** Whether this command line runs a command against the database (help and rotate-keys do not). */
export function needsDatabase(argv: readonly string[]): boolean {
  const [command, ...rest] = argv;
  return (
    command !== undefined &&
    isCommand(command) &&
    DATABASE_COMMANDS.includes(command) &&
    !rest.some((arg) => arg === '--help' || arg === '-h')
  );
}

export const GLOBAL_HELP = `Usage: npm run cli -- <command> [options]   (or: node dist/cli/main.js <command> [options])

Operator commands for the authentication service.

Commands:
  create-admin      Create an ADMIN account unless the email is taken (needs DATABASE_URL)
  revoke-sessions   End every live session of a user (needs DATABASE_URL)
  reset-mfa         Remove a user's second factors, ending their sessions (needs DATABASE_URL)
  rotate-keys       Generate the next JWT signing key and print the rotation's settings (no database)

Run "<command> --help" for a command's options.
Exit codes: 0 done, 1 failed (reason on stderr), 2 bad usage.
`;

export const COMMAND_HELP: Record<CommandName, string> = {
  'create-admin': `Usage: create-admin --email <email> [--password-stdin | --password <password>]

Creates an ADMIN account with a verified email. The password comes from standard input
(--password-stdin), else from ADMIN_PASSWORD, else from --password (which shell history keeps).
It must pass the registration password policy. An existing account is never changed: when the
email belongs to an ADMIN already the command exits 0 ("already exists"); when it belongs to
another role it exits 1.

Options:
  --email <email>        the admin's email address
  --password-stdin       read the password from standard input (first line)
  --password <password>  the password on the command line (avoid: shell history keeps it)
  -h, --help             show this help
`,
  'revoke-sessions': `Usage: revoke-sessions --user <email> [--reason <text>]

Ends every live session of the user: their refresh tokens stop working and their access tokens
are refused at once by every instance. Prints how many sessions ended and records a
SESSION_REVOKED audit event. An unknown email exits 1.

Options:
  --user <email>   the user's email address
  --reason <text>  a note kept in the audit event (no secrets)
  -h, --help       show this help
`,
  'reset-mfa': `Usage: reset-mfa --user <email>

For a user who lost their authenticator and their recovery codes: removes their second factors and
ends every one of their sessions, as DELETE /users/:id/mfa does. The user is mailed, and an MFA_RESET
audit event is recorded. An unknown email exits 1.

Options:
  --user <email>   the user's email address
  -h, --help       show this help
`,
  'rotate-keys': `Usage: rotate-keys [--algorithm EdDSA|RS256] [--current-key-file <pem>] [--out <dir>]

Generates the next access-token signing key (Ed25519, or RSA 3072 for RS256), prints its kid
(RFC 7638 thumbprint) and the environment values of the three rotation steps in the README
("Signing keys and rotation"). Needs no database.

Options:
  --algorithm <alg>         EdDSA (default, or the current key's) or RS256
  --current-key-file <pem>  the current JWT_SIGNING_KEY, so step 2 names its public key
  --out <dir>               write the new key to <dir> (private key mode 0600) instead of
                            printing the private key
  -h, --help                show this help
`,
};

/** Wrong command line: the message and the usage go to stderr, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** Expected failure (unknown user, weak password, bad key file): the message goes to stderr, exit code 1, no stack. */
export class CommandFailure extends Error {}

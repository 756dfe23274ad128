/**
 * `npm run cli -- <command>` (node dist/cli/main.js): the operator commands. Each prints its result
 * on stdout; a failure prints one line on stderr and exits 1, bad usage exits 2 with the usage.
 */
import 'reflect-metadata';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { COMMAND_HELP, CommandName, GLOBAL_HELP, isCommand, UsageError } from './cli-usage';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION: Options = { help: { type: 'boolean', short: 'h' } };

const OPTIONS: Record<CommandName, Options> = {
  'create-admin': {
    ...HELP_OPTION,
    email: { type: 'string' },
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  },
  'revoke-sessions': { ...HELP_OPTION, user: { type: 'string' }, reason: { type: 'string' } },
  'reset-mfa': { ...HELP_OPTION, user: { type: 'string' } },
  'rotate-keys': {
    ...HELP_OPTION,
    algorithm: { type: 'string' },
    'current-key-file': { type: 'string' },
    out: { type: 'string' },
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(GLOBAL_HELP);
    return command === undefined ? 2 : 0;
  }
  if (!isCommand(command)) throw new UsageError(`Unknown command "${command}"`, GLOBAL_HELP);

  const values = parse(command, rest);
  if (values.help) {
    process.stdout.write(COMMAND_HELP[command]);
    return 0;
  }
  // Loaded on demand: a command that touches the database loads Nest and Prisma, help and rotate-keys need neither.
  switch (command) {
    case 'create-admin':
      return (await import('./create-admin.command.js')).createAdmin(values, process.env);
    case 'revoke-sessions':
      return (await import('./revoke-sessions.command.js')).revokeSessions(values, process.env);
    case 'reset-mfa':
      return (await import('./reset-mfa.command.js')).resetMfa(values, process.env);
    case 'rotate-keys':
      return (await import('./rotate-keys.command.js')).rotateKeys(values);
  }
}

function parse(command: CommandName, args: string[]): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options: OPTIONS[command], strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    // parseArgs says what is wrong ("Unknown option '--x'", "Option '--user <value>' argument missing").
    throw new UsageError((error as Error).message, COMMAND_HELP[command]);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n\n${error.usage}`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Error: ${message}\n`);
    // No stack, even for an unexpected failure: operators act on the message.
    process.exit(1);
  },
);

// `npm run db:migration -- <name>`: writes the migration that brings the schema built by prisma/migrations to prisma/schema.prisma, like `prisma migrate dev --create-only`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CliError,
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  MIGRATIONS_DIR,
  PROJECT_ROOT,
  diffMigrationsToSchema,
  readDatabaseUrl,
  runCli,
} from './schema-engine.mjs';

const USAGE = 'Usage: npm run db:migration -- <name>   (letters, digits and underscores, e.g. add_user_locale)';
// Keeps "<timestamp>_<name>" within _prisma_migrations.migration_name's 255 characters.
const MAX_NAME_LENGTH = 200;

await runCli(async () => {
  const name = readMigrationName(process.argv.slice(2));
  const databaseUrl = readDatabaseUrl();

  const { sql } = await diffMigrationsToSchema(databaseUrl, 'migration_shadow');
  if (sql === null) {
    console.log('No schema changes: prisma/migrations already produce prisma/schema.prisma.');
    return;
  }

  const directory = path.join(MIGRATIONS_DIR, `${utcTimestamp(new Date())}_${name}`);
  await mkdir(MIGRATIONS_DIR, { recursive: true });
  await mkdir(directory).catch((error) => {
    if (error.code === 'EEXIST') throw new CliError(`${directory} already exists; try again in a second.`);
    throw error;
  });
  await writeFile(path.join(directory, 'migration.sql'), sql);
  await writeFile(path.join(MIGRATIONS_DIR, LOCKFILE_NAME), LOCKFILE_CONTENT, { flag: 'wx' }).catch((error) => {
    if (error.code !== 'EEXIST') throw error;
  });

  console.log(`Created ${path.relative(PROJECT_ROOT, path.join(directory, 'migration.sql'))}`);
  console.log('Review it, then apply it with `npm run db:migrate`.');
});

function readMigrationName(args) {
  if (args.length !== 1) throw new CliError(USAGE);
  const [name] = args;
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new CliError(`Invalid migration name "${name}". ${USAGE}`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new CliError(`The migration name is longer than ${MAX_NAME_LENGTH} characters.`);
  }
  return name;
}

/** YYYYMMDDHHMMSS in UTC, the prefix Prisma gives migration directories. */
function utcTimestamp(date) {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

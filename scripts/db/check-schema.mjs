// Checks that applying prisma/migrations to an empty database yields exactly the Prisma schema; exit 1 with the missing SQL otherwise.
// Usage: node scripts/db/check-schema.mjs [--schema <path>]   (default prisma/schema.prisma)
import path from 'node:path';
import { diffMigrationsToSchema, readDatabaseUrl, runCli, SCHEMA_PATH } from './schema-engine.mjs';

const schemaFlag = process.argv.indexOf('--schema');
const schemaPath = schemaFlag === -1 ? SCHEMA_PATH : path.resolve(process.argv[schemaFlag + 1] ?? '');
const schemaName = path.relative(process.cwd(), schemaPath);

await runCli(async () => {
  const { migrationCount, sql } = await diffMigrationsToSchema(readDatabaseUrl(), 'schema_check', schemaPath);
  if (sql === null) {
    console.log(`In sync: the ${migrationCount} migration(s) in prisma/migrations build exactly ${schemaName}.`);
    return 0;
  }
  console.error(`${schemaName} differs from the database that prisma/migrations build.`);
  console.error('SQL that would bring the database to the schema:\n');
  console.error(sql.trimEnd());
  console.error('\nCreate the migration with `npm run db:migration -- <name>`.');
  return 1;
});

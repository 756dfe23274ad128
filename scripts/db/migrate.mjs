// `npm run db:migrate`: applies pending prisma/migrations to DATABASE_URL, like `prisma migrate deploy` but through the WebAssembly engine.
import {
  assertDatabaseReachable,
  describeDatabase,
  openSchemaEngine,
  readDatabaseUrl,
  readMigrationsList,
  runCli,
} from './schema-engine.mjs';

await runCli(async () => {
  const databaseUrl = readDatabaseUrl();
  await assertDatabaseReachable(databaseUrl);
  const migrationsList = await readMigrationsList();

  const engine = await openSchemaEngine(databaseUrl);
  let applied;
  try {
    applied = await engine.applyMigrations(migrationsList);
  } finally {
    await engine.close();
  }

  const target = describeDatabase(databaseUrl);
  if (applied.length === 0) {
    console.log(`No pending migrations: ${target} is up to date with prisma/migrations.`);
    return;
  }
  console.log(`Applied ${applied.length} migration(s) to ${target}:`);
  for (const name of applied) console.log(`  ${name}`);
});

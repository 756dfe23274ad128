/**
 * `npm run db:seed` (node dist/seed.js): creates the admin account of ADMIN_EMAIL / ADMIN_PASSWORD.
 * It builds the application as main.ts does but never listens, so AdminBootstrap does exactly what
 * it does at boot; then it exits 0, or 1 when the variables are missing or invalid or the account
 * could not be created.
 */
import 'reflect-metadata';
import { createApp } from './app.factory';
import { loadAppConfigOrExit } from './config/load-app-config-or-exit';

async function seed(): Promise<void> {
  const config = loadAppConfigOrExit(process.env);
  if (!config.admin) {
    process.stderr.write('ADMIN_EMAIL and ADMIN_PASSWORD must be set: the seed creates that admin account.\n');
    process.exit(1);
  }
  // Building the app runs every bootstrap hook, AdminBootstrap's included; no port is opened.
  const app = await createApp(config);
  await app.close();
}

seed().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

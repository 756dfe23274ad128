/** The application as the database commands use it: built like main.ts (and seed.ts) but never listening. */
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../app.factory';
import { loadAppConfig } from '../config/app-config';
import { ConfigValidationError } from '../config/config-validation.error';
import { CommandFailure } from './cli-usage';

export async function withCliApp<T>(
  env: Readonly<Record<string, string | undefined>>,
  work: (app: NestFastifyApplication) => Promise<T>,
): Promise<T> {
  const app = await createApp(cliConfig(env));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

function cliConfig(env: Readonly<Record<string, string | undefined>>) {
  // ADMIN_* are create-admin's input here, not a bootstrap request; info logs would bury the result.
  const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...rest } = env;
  try {
    return loadAppConfig({ LOG_LEVEL: 'warn', ...rest });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      throw new CommandFailure(`${error.message}\nSee .env.example for every variable and its default.`);
    }
    throw error;
  }
}

import { AppConfig, loadAppConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';

/** For the process entry points: an invalid environment ends the process with exit code 1 and every problem on stderr, no stack. */
export function loadAppConfigOrExit(env: Readonly<Record<string, string | undefined>>): AppConfig {
  try {
    return loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(1);
    }
    throw error;
  }
}

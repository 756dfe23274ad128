import { loadAppConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';

/** The problems loadAppConfig reports for `env` over a minimal valid one; empty when it loads. */
export function configProblemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', ...env });
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

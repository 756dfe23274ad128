import { loadAppConfig } from './app-config';
import { VARIABLES } from './config-variables';
import { ConfigValidationError } from './config-validation.error';
import { defaultTextOf, NODE_ENVIRONMENTS, Variable } from './variable-declaration';

/** The names loadAppConfig looks up in the environment it is given. */
function namesReadBy(env: Record<string, string>): Set<string> {
  const names = new Set<string>();
  const watched = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') names.add(name);
      return target[name as string];
    },
  });
  try {
    loadAppConfig(watched);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
  }
  return names;
}

describe('VARIABLES', () => {
  it('are exactly what loadAppConfig reads: nothing is read without a declaration, nothing declared is unread', () => {
    // Every secret may come from a file instead: <NAME>_FILE is looked up for each (secret-files.ts).
    const fileForms = Object.values(VARIABLES)
      .filter(({ secret }) => secret)
      .map(({ name }) => `${name}_FILE`);
    const declared = Object.keys(VARIABLES);
    expect([...namesReadBy({})].sort()).toEqual([...declared, ...fileForms].sort());
    expect([...namesReadBy({ JWT_ALGORITHM: 'EdDSA', ADMIN_EMAIL: 'root@example.com' })].sort()).toEqual(
      [...declared.filter((name) => name !== 'JWT_ACCESS_SECRET'), ...fileForms].sort(),
    );
  });

  it('each have a one-line description', () => {
    const without = Object.values(VARIABLES).filter(
      ({ description }) => description.length < 10 || /\n/.test(description),
    );
    expect(without.map(({ name }) => name)).toEqual([]);
  });

  it('have defaults that loadAppConfig accepts when they are set explicitly', () => {
    // A default outside its own bounds would only be refused once someone wrote it down.
    const refused = Object.values(VARIABLES as Record<string, Variable>).flatMap((variable) =>
      NODE_ENVIRONMENTS.filter((nodeEnv) => nodeEnv !== 'production').flatMap((nodeEnv) => {
        const value = defaultTextOf(variable, nodeEnv);
        if (value === undefined) return [];
        const env = { DATABASE_URL: 'postgresql://localhost/auth', NODE_ENV: nodeEnv, [variable.name]: value };
        return problemsOf(env).map((problem) => `${nodeEnv}: ${problem}`);
      }),
    );
    expect(refused).toEqual([]);
  });
});

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadAppConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

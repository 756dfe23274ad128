import { readFileSync } from 'node:fs';
import { VARIABLES } from './config-variables';

type Environment = Readonly<Record<string, string | undefined>>;

/** The variables that may come from a file instead: every one declared secret. */
const FILE_VARIABLES: readonly string[] = Object.values(VARIABLES)
  .filter((variable) => variable.secret)
  .map((variable) => variable.name);

/**
 * `<NAME>_FILE` for each secret variable names a file holding its value, the way Docker and Kubernetes
 * mount secrets (`/run/secrets/...`), so no secret has to sit in the process environment or an image.
 * The file's content is the value, less one trailing newline. Setting both forms is refused, because
 * which one wins would be a guess.
 */
export function readSecretFiles(
  env: Environment,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of FILE_VARIABLES) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push(`${name} and ${name}_FILE are both set: set one of them`);
      continue;
    }
    try {
      values[name] = readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
    }
  }
  return { values, problems };
}

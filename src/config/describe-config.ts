/** The effective configuration as an operator may see it, in logs or support requests: secrets masked. */
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';
import { defaultTextOf } from './variable-declaration';

export const MASK = '***';

export interface DescribedVariable {
  readonly name: string;
  /** Where the value comes from: the environment, the declared default, or neither. */
  readonly source: 'set' | 'default' | 'unset';
  /** The value as written in an env file, MASK for a secret; undefined when unset. */
  readonly value: string | undefined;
}

/** Every variable the service reads, in declaration order; describes, never validates (loadAppConfig does). */
export function describeConfig(env: Readonly<Record<string, string | undefined>>): DescribedVariable[] {
  const read = new EnvironmentReader(env);
  const nodeEnv = read.oneOf(VARIABLES.NODE_ENV);
  return Object.values(VARIABLES).map((variable) => {
    const configured = read.raw(variable);
    const value = configured ?? defaultTextOf(variable, nodeEnv);
    return {
      name: variable.name,
      source: configured !== undefined ? 'set' : value !== undefined ? 'default' : 'unset',
      value: value !== undefined && variable.secret ? MASK : value,
    };
  });
}

/**
 * The shape of one environment variable's declaration: its kind, default or what leaving it unset
 * means, bounds, a description and whether it is secret. The declarations themselves are in
 * config-variables.ts; EnvironmentReader reads a variable only through its declaration.
 */

/** NODE_ENV's values, which some defaults depend on. */
export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

interface Declared {
  readonly name: string;
  /** One line for the operator. */
  readonly description: string;
  /** Masked wherever the configuration is described; never given a value in .env.example. */
  readonly secret: boolean;
}

/** Free text with a default. */
export interface TextVariable extends Declared {
  readonly kind: 'text';
  readonly default: string;
}

/** Free text without a default: unset turns something off. */
export interface OptionalTextVariable extends Declared {
  readonly kind: 'optional-text';
  readonly unset: string;
}

export interface IntegerVariable extends Declared {
  readonly kind: 'integer';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export interface BooleanVariable extends Declared {
  readonly kind: 'boolean';
  readonly default: boolean;
  /** Where the default differs by NODE_ENV. */
  readonly defaultUnder?: { readonly [environment in NodeEnvironment]?: boolean };
}

/** A duration such as `15m`, read in seconds; the bounds are seconds. */
export interface DurationVariable extends Declared {
  readonly kind: 'duration';
  readonly default: string;
  readonly min: number;
  readonly max: number;
}

/** A size such as `64kb`, read in bytes; the bounds are bytes. */
export interface SizeVariable extends Declared {
  readonly kind: 'size';
  readonly default: string;
  readonly min: number;
  readonly max: number;
}

export interface OneOfVariable<T extends string = string> extends Declared {
  readonly kind: 'one-of';
  readonly values: readonly T[];
  readonly default: T;
  /** Where the default differs by NODE_ENV. */
  readonly defaultUnder?: { readonly [environment in NodeEnvironment]?: T };
}

export interface UrlVariable extends Declared {
  readonly kind: 'url';
  readonly schemes: readonly string[];
  /** Either a default, or a hint of where to get one when it is required, or what unset means. */
  readonly default?: string;
  readonly required?: { readonly hint: string };
  readonly unset?: string;
}

/** A comma-separated list of web origins. */
export interface OriginsVariable extends Declared {
  readonly kind: 'origins';
  readonly unset: string;
}

/** TRUST_PROXY's forms: false, true, a hop count, or proxy addresses. */
export interface TrustProxyVariable extends Declared {
  readonly kind: 'trust-proxy';
  readonly default: string;
  readonly maxHops: number;
}

/** A key for an HMAC, judged for strength by secret-config.ts. */
export interface SecretVariable extends Declared {
  readonly kind: 'secret';
  readonly minBytes: number;
  readonly unset: string;
  readonly defaultOutsideProduction?: string;
}

/** One or more PEM blocks, parsed by pem-keys.ts. */
export interface PemVariable extends Declared {
  readonly kind: 'pem';
  readonly unset: string;
}

export type Variable =
  | TextVariable
  | OptionalTextVariable
  | IntegerVariable
  | BooleanVariable
  | DurationVariable
  | SizeVariable
  | OneOfVariable
  | UrlVariable
  | OriginsVariable
  | TrustProxyVariable
  | SecretVariable
  | PemVariable;

type Spec<V extends Variable> = Omit<V, 'name' | 'kind'>;

/** Refuses properties the kind does not have, so a misspelt optional one (`defualt`) is caught. */
type Only<S, Allowed> = S & { readonly [Key in Exclude<keyof S, keyof Allowed>]: never };

/** A declaration helper that keeps the exact type of what it is given (whether `default` is present, say). */
function declaring<V extends Variable>(kind: V['kind']) {
  return <S extends Spec<V>>(spec: Only<S, Spec<V>>) => ({ ...spec, kind });
}

export const text = declaring<TextVariable>('text');
export const optionalText = declaring<OptionalTextVariable>('optional-text');
export const integer = declaring<IntegerVariable>('integer');
export const boolean = declaring<BooleanVariable>('boolean');
export const duration = declaring<DurationVariable>('duration');
export const size = declaring<SizeVariable>('size');
export const url = declaring<UrlVariable>('url');
export const origins = declaring<OriginsVariable>('origins');
export const trustProxy = declaring<TrustProxyVariable>('trust-proxy');
export const secret = declaring<SecretVariable>('secret');
export const pem = declaring<PemVariable>('pem');

/** The default must be one of the values: NoInfer keeps it from widening them. */
export const oneOf = <const T extends string>(
  spec: Omit<Spec<OneOfVariable<T>>, 'default' | 'defaultUnder'> & {
    readonly default: NoInfer<T>;
    readonly defaultUnder?: { readonly [environment in NodeEnvironment]?: NoInfer<T> };
  },
) => ({ ...spec, kind: 'one-of' as const });

/** Names each declaration after its key, so a variable's name is written once. */
export function declareVariables<Specs extends Record<string, Omit<Variable, 'name'>>>(
  specs: Specs,
): { readonly [Name in keyof Specs & string]: Specs[Name] & { readonly name: Name } } {
  const entries = Object.entries(specs).map(([name, spec]) => [name, { ...spec, name }]);
  return Object.fromEntries(entries) as { [Name in keyof Specs & string]: Specs[Name] & { readonly name: Name } };
}

/** The value an unset variable takes under this NODE_ENV, as written in an env file; undefined when it has none. */
export function defaultTextOf(variable: Variable, nodeEnv: NodeEnvironment): string | undefined {
  switch (variable.kind) {
    case 'text':
    case 'duration':
    case 'size':
    case 'trust-proxy':
      return variable.default;
    case 'integer':
      return String(variable.default);
    case 'boolean':
      return String(variable.defaultUnder?.[nodeEnv] ?? variable.default);
    case 'one-of':
      return variable.defaultUnder?.[nodeEnv] ?? variable.default;
    case 'url':
      return variable.default;
    case 'secret':
      return nodeEnv === 'production' ? undefined : variable.defaultOutsideProduction;
    case 'optional-text':
    case 'origins':
    case 'pem':
      return undefined;
  }
}

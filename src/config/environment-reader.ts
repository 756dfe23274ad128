import { parseDurationSeconds } from './duration';
import {
  BooleanVariable,
  DurationVariable,
  IntegerVariable,
  NodeEnvironment,
  OneOfVariable,
  OptionalTextVariable,
  OriginsVariable,
  SizeVariable,
  TextVariable,
  UrlVariable,
  Variable,
} from './variable-declaration';

type Environment = Readonly<Record<string, string | undefined>>;

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/**
 * Reads typed values out of the environment and collects every problem instead of
 * stopping at the first, so a misconfigured deployment is fixed in one go. It reads a
 * variable only through its declaration (config-variables.ts), which holds its default and bounds.
 */
export class EnvironmentReader {
  readonly problems: string[] = [];

  /** `fromFiles`: the values of secret variables read from their `<NAME>_FILE` (secret-files.ts). */
  constructor(
    private readonly env: Environment,
    private readonly fromFiles: Readonly<Record<string, string>> = {},
  ) {}

  /** The trimmed value, undefined when unset or blank. */
  raw(variable: Variable): string | undefined {
    const value = (this.fromFiles[variable.name] ?? this.env[variable.name])?.trim();
    return value === '' ? undefined : value;
  }

  text(variable: TextVariable): string {
    return this.raw(variable) ?? variable.default;
  }

  optionalText(variable: OptionalTextVariable): string | undefined {
    return this.raw(variable);
  }

  /** `nodeEnv` picks the default of variables whose default depends on it. */
  oneOf<T extends string>(variable: OneOfVariable<T>, nodeEnv?: NodeEnvironment): T {
    const fallback = (nodeEnv && variable.defaultUnder?.[nodeEnv]) ?? variable.default;
    const value = this.raw(variable);
    if (value === undefined) return fallback;
    if ((variable.values as readonly string[]).includes(value)) return value as T;
    return this.fail(variable, `must be one of ${variable.values.join(', ')} (got "${value}")`, fallback);
  }

  integer(variable: IntegerVariable): number {
    const { min, max } = variable;
    const value = this.raw(variable);
    if (value === undefined) return variable.default;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      return this.fail(variable, `must be an integer from ${min} to ${max} (got "${value}")`, variable.default);
    }
    return parsed;
  }

  /** `nodeEnv` picks the default of variables whose default depends on it. */
  boolean(variable: BooleanVariable, nodeEnv?: NodeEnvironment): boolean {
    const fallback = (nodeEnv && variable.defaultUnder?.[nodeEnv]) ?? variable.default;
    const value = this.raw(variable)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    return this.fail(variable, `must be true or false (got "${value}")`, fallback);
  }

  /** A duration like `15m`, returned in seconds. */
  durationSeconds(variable: DurationVariable): number {
    const { min, max } = variable;
    const text = this.raw(variable) ?? variable.default;
    const seconds = parseDurationSeconds(text);
    if (seconds === undefined || seconds < min || seconds > max) {
      return this.fail(
        variable,
        `must be a duration such as 30s, 15m, 12h or 7d between ${min}s and ${max}s (got "${text}")`,
        parseDurationSeconds(variable.default) ?? 0,
      );
    }
    return seconds;
  }

  /** A size like `64kb`, returned in bytes. */
  sizeBytes(variable: SizeVariable): number {
    const { min, max } = variable;
    const text = (this.raw(variable) ?? variable.default).toLowerCase();
    const match = /^(\d+)\s*(b|kb|mb)?$/.exec(text);
    const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2] ?? 'b'] : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max) {
      return this.fail(
        variable,
        `must be a size such as 512b, 64kb or 1mb between ${min} and ${max} bytes (got "${text}")`,
        min,
      );
    }
    return bytes;
  }

  /** The URL, its default when unset, or undefined (a problem recorded when it is required). */
  url(variable: UrlVariable & { readonly default: string }): string;
  url(variable: UrlVariable): string | undefined;
  url(variable: UrlVariable): string | undefined {
    const { name, schemes, required } = variable;
    const value = this.raw(variable);
    if (value === undefined) {
      if (required) this.problems.push(`${name} is required: ${required.hint}`);
      return variable.default;
    }
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol.replace(/:$/, '');
    } catch {
      protocol = undefined;
    }
    if (!protocol || !schemes.includes(protocol)) {
      // The value may hold a password: name the variable, never echo it.
      const expected = schemes.map((scheme) => `${scheme}://`).join(' or ');
      return this.fail(variable, `must be a URL starting with ${expected}`, variable.default);
    }
    return value;
  }

  /** A comma-separated list of web origins such as `https://app.example.com`, without paths or wildcards. */
  origins(variable: OriginsVariable): string[] {
    const entries = (this.raw(variable) ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const invalid = entries.filter((entry) => !isOrigin(entry));
    if (invalid.length > 0) {
      return this.fail(
        variable,
        `must list origins such as https://app.example.com, comma-separated, without paths or * (got "${invalid.join('", "')}")`,
        [],
      );
    }
    return entries;
  }

  fail<T>(variable: Variable, message: string, fallback: T): T {
    this.problems.push(`${variable.name} ${message}`);
    return fallback;
  }
}

function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry;
  } catch {
    return false;
  }
}

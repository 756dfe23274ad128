import { parseDurationSeconds } from './duration';

type Environment = Readonly<Record<string, string | undefined>>;

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/**
 * Reads typed values out of the environment and collects every problem instead of
 * stopping at the first, so a misconfigured deployment is fixed in one go.
 */
export class EnvironmentReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(name, `must be one of ${allowed.join(', ')} (got "${value}")`, fallback);
  }

  integer(name: string, fallback: number, { min, max }: { min: number; max: number }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      return this.fail(name, `must be an integer from ${min} to ${max} (got "${value}")`, fallback);
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    return this.fail(name, `must be true or false (got "${value}")`, fallback);
  }

  /** A duration like `15m`, returned in seconds. */
  durationSeconds(name: string, fallback: string, { min, max }: { min: number; max: number }): number {
    const text = this.raw(name) ?? fallback;
    const seconds = parseDurationSeconds(text);
    if (seconds === undefined || seconds < min || seconds > max) {
      return this.fail(
        name,
        `must be a duration such as 30s, 15m, 12h or 7d between ${min}s and ${max}s (got "${text}")`,
        parseDurationSeconds(fallback) ?? 0,
      );
    }
    return seconds;
  }

  /** A size like `64kb`, returned in bytes. */
  sizeBytes(name: string, fallback: string, { min, max }: { min: number; max: number }): number {
    const text = (this.raw(name) ?? fallback).toLowerCase();
    const match = /^(\d+)\s*(b|kb|mb)?$/.exec(text);
    const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2] ?? 'b'] : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max) {
      return this.fail(
        name,
        `must be a size such as 512b, 64kb or 1mb between ${min} and ${max} bytes (got "${text}")`,
        min,
      );
    }
    return bytes;
  }

  url(
    name: string,
    protocols: readonly string[],
    { required, hint }: { required: boolean; hint?: string },
  ): string | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      if (required) this.problems.push(`${name} is required${hint ? `: ${hint}` : ''}`);
      return undefined;
    }
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol.replace(/:$/, '');
    } catch {
      protocol = undefined;
    }
    if (!protocol || !protocols.includes(protocol)) {
      // The value may hold a password: name the variable, never echo it.
      return this.fail(name, `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`, undefined);
    }
    return value;
  }

  /** A comma-separated list of web origins such as `https://app.example.com`, without paths or wildcards. */
  origins(name: string): string[] {
    const entries = (this.raw(name) ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const invalid = entries.filter((entry) => !isOrigin(entry));
    if (invalid.length > 0) {
      return this.fail(
        name,
        `must list origins such as https://app.example.com, comma-separated, without paths or * (got "${invalid.join('", "')}")`,
        [],
      );
    }
    return entries;
  }

  fail<T>(name: string, message: string, fallback: T): T {
    this.problems.push(`${name} ${message}`);
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

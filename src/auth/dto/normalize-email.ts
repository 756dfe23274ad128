/** Emails are stored and compared trimmed and lower-cased; anything not a string is left for validation to refuse. */
export function normalizeEmail(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

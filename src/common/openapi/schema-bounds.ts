/**
 * Bounds of the strings every response is made of, so the document states them once. Each holds by
 * construction: a UUID is 36 characters, and Date#toISOString() is at most 27 ("+275760-09-13T00:00:00.000Z").
 */
export const UUID_SCHEMA = { type: String, format: 'uuid', minLength: 36, maxLength: 36 } as const;
export const DATE_TIME_SCHEMA = { type: String, format: 'date-time', maxLength: 27 } as const;

import { randomInt } from 'node:crypto';

/**
 * A fresh client address for X-Forwarded-For: apps started with TRUST_PROXY=true take it as
 * request.ip, so one test process can play several clients.
 */
export function uniqueAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export const FORWARDED_FOR = 'x-forwarded-for';

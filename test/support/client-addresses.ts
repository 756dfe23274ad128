import { randomInt } from 'node:crypto';

/**
 * A fresh client address for X-Forwarded-For: apps started with TRUST_PROXY=loopback take it as
 * request.ip (supertest connects over loopback, as a proxy on the same host would), so one test
 * process can play several clients.
 */
export function uniqueAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export const FORWARDED_FOR = 'x-forwarded-for';

import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';

export const STRONG_PASSWORD = 'correct horse battery staple';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  user: { id: string; email: string; role: string };
}

/** A unique email per call, so every test owns its users. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@example.com`;
}

/** The claims of an access token, decoded without verification: tests read them, the service never does. */
export function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

/** The session a token pair (or its access token) belongs to: the `sid` claim. */
export function sessionIdOf(tokens: string | { readonly accessToken: string }): string {
  return claimsOf(typeof tokens === 'string' ? tokens : tokens.accessToken).sid as string;
}

export async function register(server: Server, email = uniqueEmail(), password = STRONG_PASSWORD): Promise<TokenPair> {
  const response = await request(server).post('/api/v1/auth/register').send({ email, password });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
  return response.body as TokenPair;
}

export async function login(server: Server, email: string, password = STRONG_PASSWORD): Promise<TokenPair> {
  const response = await request(server).post('/api/v1/auth/login').send({ email, password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return response.body as TokenPair;
}

export function me(server: Server, accessToken: string) {
  return request(server).get('/api/v1/auth/me').set('authorization', `Bearer ${accessToken}`);
}

export function refresh(server: Server, refreshToken: string) {
  return request(server).post('/api/v1/auth/refresh').send({ refreshToken });
}

/** A signed-in ADMIN: registered through HTTP, promoted in the database, then logged in again for a token with the role. */
export async function registerAdmin(
  server: Server,
  prisma: { user: { update(args: { where: { id: string }; data: { role: 'ADMIN' } }): Promise<unknown> } },
  email = uniqueEmail('admin'),
): Promise<TokenPair> {
  const registered = await register(server, email);
  await prisma.user.update({ where: { id: registered.user.id }, data: { role: 'ADMIN' } });
  return login(server, email);
}

export function bearer(accessToken: string): { authorization: string } {
  return { authorization: `Bearer ${accessToken}` };
}

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClientInfo } from './client-info';

// Enough for any real browser; a longer header is truncated rather than stored whole.
export const MAX_USER_AGENT_LENGTH = 512;

/** The caller's user agent and address (request.ip: always an IP address, see src/common/client-address). */
export function clientInfoOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null, ip: request.ip ?? null };
}

export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientInfo =>
  clientInfoOf(context.switchToHttp().getRequest()),
);

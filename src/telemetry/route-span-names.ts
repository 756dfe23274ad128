import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';

/**
 * Hands each request's route pattern to the HTTP instrumentation, which then names the server span
 * after it (`POST /api/v1/auth/login`) and records it as http.route, so spans group by route as the
 * metrics do, never by raw URL.
 */
export function nameServerSpansByRoute(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const metadata = getRPCMetadata(context.active());
    const route = request.routeOptions.url;
    if (metadata?.type === RPCType.HTTP && route !== undefined) metadata.route = route;
    done();
  });
}

import type { FastifyInstance } from 'fastify';
import { Metrics } from './metrics';

/** Every answer into http_request_duration_seconds, labelled by the route's pattern. */
export function countEveryRequest(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequests.observe(
      { method: request.method, route: request.routeOptions.url ?? '(unmatched)', status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

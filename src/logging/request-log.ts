import { trace, TraceFlags } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Level, Logger } from 'pino';
import { PinoLogger } from 'nestjs-pino';
import { isHealthProbe, withoutQuery } from '../common/http/request-paths';

/**
 * One line per answered request, written once the answer is sent, and built only when its level is
 * enabled: pino-http serializes every request into a child logger up front, logged or not, which cost
 * the service more CPU than its own handler. Every line logged while a request is handled carries its
 * id as `reqId`, through nestjs-pino's request context.
 */
export function logEveryRequest(fastify: FastifyInstance, context: PinoLogger, root: Logger): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    context.runInContext(done, { bindings: { reqId: request.id } });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = levelFor(reply.statusCode);
    if (root.isLevelEnabled(level) && !isHealthProbe(request.url)) {
      root[level](
        {
          reqId: request.id,
          // req.id as well: the shape earlier releases wrote, which log queries may rely on.
          req: {
            id: request.id,
            method: request.method,
            url: withoutQuery(request.url),
            userAgent: request.headers['user-agent'],
            // The address TRUST_PROXY decides (src/common/client-address), as rate limits and sessions see it.
            remoteAddress: request.ip,
          },
          res: { statusCode: reply.statusCode },
          // Who the bearer check found, when the route had one: enough to follow a user or a session.
          ...callerOf(request),
          ...traceOf(),
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}

/** The trace the request was recorded in, when tracing is on and sampled it: from a log line to its spans. */
function traceOf(): { traceId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { traceId: spanContext.traceId };
}

/** The authenticated caller passport put on the request, as ids only. */
function callerOf(request: object): { userId?: string; sessionId?: string } {
  const user = (request as { user?: { id?: unknown; sessionId?: unknown } }).user;
  if (!user || typeof user.id !== 'string') return {};
  return { userId: user.id, ...(typeof user.sessionId === 'string' ? { sessionId: user.sessionId } : {}) };
}

function levelFor(statusCode: number): Level {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

import { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { API_PREFIX, METRICS_PATH, REQUEST_ID_HEADER } from './common/http/http-constants';
import { API_SECURITY_HEADERS, securityHeadersFor, sendOnEveryAnswer } from './common/http/security-headers';
import { AppModule } from './app.module';
import { ACCOUNT_PAGE_ROUTES } from './auth/account-pages/account-page';
import { Metrics } from './metrics/metrics';
import { countEveryRequest } from './metrics/request-metrics';
import { cleanForwardedForOnEveryRequest, fastifyTrustProxy } from './common/client-address/client-address';
import { answerClientError, answerFrameworkError } from './common/problem-details/framework-problems';
import { ProblemDetailsFilter } from './common/problem-details/problem-details.filter';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/app-config';
import { ShutdownState } from './lifecycle/shutdown-state';
import { logEveryRequest } from './logging/request-log';
import { nameServerSpansByRoute } from './telemetry/route-span-names';
import { DOCS_PATH, serveOpenApiDocument } from './openapi/openapi-document';

export { API_PREFIX, REQUEST_ID_HEADER };

type ModuleImport = Type | DynamicModule | ForwardReference;

export interface CreateAppOptions {
  /** Extra modules mounted beside the application's own (tests use this for probe routes). */
  readonly imports?: readonly ModuleImport[];
}

/**
 * Builds the fully configured application without listening: main.ts, the e2e tests and the
 * benchmarks all start the service through this one function.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    genReqId: requestIdFor,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    ...serverTimeouts(config),
  });

  class ApplicationRoot {}
  const root: DynamicModule = {
    module: ApplicationRoot,
    imports: [AppModule.forRoot(config), ...(options.imports ?? [])],
  };

  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bufferLogs: true,
    abortOnError: false,
    // JSON only: Nest's form parser is never registered, and Fastify's text/plain one is removed below.
    // A cross-site HTML form needs no CORS preflight, so a form body must never reach a route.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  const requestContext = await app.resolve<PinoLogger>(PinoLogger); // builds PinoLogger.root from LoggingModule's options
  logEveryRequest(fastify, requestContext, PinoLogger.root);
  sendOnEveryAnswer(fastify, API_SECURITY_HEADERS, {
    prefix: `/${DOCS_PATH}`,
    headers: securityHeadersFor({ contentSecurityPolicy: { directives: SWAGGER_UI_CSP } }),
  });
  await app.register(fastifyCookie);
  app.enableCors(corsOptions(config));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['.well-known/{*path}', METRICS_PATH, ...ACCOUNT_PAGE_ROUTES] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  fastify.removeContentTypeParser('text/plain');
  cleanForwardedForOnEveryRequest(fastify);
  countEveryRequest(fastify, app.get(Metrics));
  if (config.tracing.export) nameServerSpansByRoute(fastify);
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // Once shutting down, a keep-alive client reconnects (to another instance) instead of reusing a
    // connection this one is about to close; such a connection would also hold the server open.
    if (shutdown.draining || !fastify.server.listening) reply.header('connection', 'close');
    done(null, payload);
  });

  if (config.http.servesDocs) serveOpenApiDocument(app);
  await app.init();
  return app;
}

// Swagger UI at /docs needs its own scripts, styles and inline images.
const SWAGGER_UI_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  frameAncestors: ["'none'"],
};

/**
 * A request that does not arrive within HTTP_REQUEST_TIMEOUT (a slowloris sender dribbling its
 * headers or body) is answered 408 and closed. Node looks for such requests every
 * connectionsCheckingInterval (30 s by default), so that is made a fraction of the timeout.
 */
function serverTimeouts(config: AppConfig) {
  const requestMs = config.http.timeouts.requestSeconds * 1000;
  return {
    requestTimeout: requestMs,
    keepAliveTimeout: config.http.timeouts.keepAliveSeconds * 1000,
    http: { headersTimeout: requestMs, connectionsCheckingInterval: Math.min(1000, requestMs / 4) },
  };
}

/** Only the listed origins get CORS headers; with none listed, browsers on other origins are refused. */
function corsOptions(config: AppConfig) {
  const allowed = new Set(config.http.corsOrigins);
  return {
    origin: (origin: string | undefined, done: (error: Error | null, allow: boolean) => void) =>
      done(null, origin !== undefined && allowed.has(origin)),
    // The refresh cookie travels only on credentialed requests.
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-requested-with', REQUEST_ID_HEADER],
    exposedHeaders: [
      REQUEST_ID_HEADER,
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'ratelimit-policy',
    ],
    maxAge: 600,
  };
}

// A caller's id is kept so one request can be followed across services; anything odd is replaced.
function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  // pino-http reuses req.id, so the request log and Fastify agree on the id.
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}

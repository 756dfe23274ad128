import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';

/**
 * Paths removed from every log line. Credentials travel in headers and bodies; neither the
 * request logger nor a careless `logger.info(dto)` may write them out.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  'password',
  'token',
  'accessToken',
  'refreshToken',
];

/** Structured JSON logs through pino, one line per request, each tagged with its request id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          serializers: {
            req: (req: IncomingMessage & { id?: unknown; raw?: IncomingMessage }) => ({
              id: req.id,
              method: req.method,
              url: stripQuery(req.url),
              userAgent: req.headers?.['user-agent'],
            }),
            res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
            error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          // Probes hit the health routes every few seconds; logging each one drowns the rest.
          autoLogging: {
            ignore: (req: IncomingMessage & { originalUrl?: string }) => isHealthProbe(req.originalUrl ?? req.url),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}

// Nest middleware may see the URL relative to the API prefix, so match the path's end.
function isHealthProbe(url: string | undefined): boolean {
  return /\/health(\/ready)?\/?(\?.*)?$/.test(url ?? '');
}

// Query strings can carry one-time tokens from links; the path is enough to follow a request.
function stripQuery(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}

import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
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

/**
 * Structured JSON logs through pino. The request log is written by logEveryRequest (request-log.ts),
 * not by pino-http's middleware: nestjs-pino builds its root logger from these options and mounts no
 * middleware (forRoutes: []).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        forRoutes: [],
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          autoLogging: false,
          // request-log.ts writes req and res as plain objects; pino-http's wrappers would re-serialize them.
          wrapSerializers: false,
        },
      }),
    }),
  ],
})
export class LoggingModule {}

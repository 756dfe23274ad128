// The framework's own ceiling: NestJS on Fastify with one JSON route, no guards, no middleware, no
// logging, the same body as the service's unguarded route. The guarded route's ratio to this is the
// cost of what the service adds; this one's ratio to bare node:http is the framework's.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

// Plain JavaScript: the decorators applied by hand, as TypeScript would emit them.
class FrameworkController {
  handle() {
    return { ok: true, service: 'auth-service' };
  }
}
Controller('framework')(FrameworkController);
Get()(
  FrameworkController.prototype,
  'handle',
  Object.getOwnPropertyDescriptor(FrameworkController.prototype, 'handle'),
);

class FrameworkModule {}
Module({ controllers: [FrameworkController] })(FrameworkModule);

const app = await NestFactory.create(FrameworkModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
console.log(`Listening on port ${process.env.PORT}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

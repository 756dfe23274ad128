// The built service (as dist/main.js starts it) plus two bench-only routes returning the same JSON:
// GET /api/v1/bench/guarded behind the global access-token guard, GET /api/v1/bench/open marked @Public().
// It exists only here, so no build that ships carries an open route.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { createRequire } from 'node:module';
import { Public } from '../dist/common/access-control/public.decorator.js';
import { loadAppConfigOrExit } from '../dist/config/load-app-config-or-exit.js';
import { exitGracefullyOnSignals } from '../dist/lifecycle/graceful-shutdown.js';
import { boundHeapGrowth } from '../dist/lifecycle/heap-growth.js';
import { startTracing } from '../dist/telemetry/tracing.js';

export const PROBE_BODY = { ok: true, service: 'auth-service' };

class BenchProbeController {
  guarded() {
    return PROBE_BODY;
  }

  open() {
    return PROBE_BODY;
  }
}

// Decorators applied by hand, as TypeScript would emit them for @Get(...) and @Public().
function decorateMethod(decorators, name) {
  const proto = BenchProbeController.prototype;
  for (const decorator of decorators) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    Object.defineProperty(proto, name, decorator(proto, name, descriptor) ?? descriptor);
  }
}
decorateMethod([Get('guarded')], 'guarded');
decorateMethod([Get('open'), Public()], 'open');
Controller('bench')(BenchProbeController);

class BenchProbeModule {}
Module({ controllers: [BenchProbeController] })(BenchProbeModule);

// The CommonJS build of nestjs-pino, the one dist/ registered (its ES build is another class).
const { Logger } = createRequire(import.meta.url)('nestjs-pino');

boundHeapGrowth();
const config = loadAppConfigOrExit(process.env);
// As main.ts does: tracing (with OTEL_EXPORTER_OTLP_ENDPOINT) first, then the application's modules.
const tracing = await startTracing(config.tracing);
const { createApp } = await import('../dist/app.factory.js');
const app = await createApp(config, { imports: [BenchProbeModule] });
exitGracefullyOnSignals(app, config.http.shutdown, app.get(Logger), () => tracing.shutdown());
await app.listen({ port: config.http.port, host: config.http.host });
console.log(`Listening on ${await app.getUrl()}`);

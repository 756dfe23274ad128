import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';

/** The Metrics every feature records into, and its exposition (METRICS_ENABLED, METRICS_PORT). */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { enabled, port } = config.metrics;
    return {
      module: MetricsModule,
      providers: [
        { provide: Metrics, useFactory: () => (enabled ? new Metrics().collectProcessMetrics() : new Metrics()) },
        ...(enabled && port !== 0 ? [MetricsServer] : []),
      ],
      controllers: enabled && port === 0 ? [MetricsController] : [],
      exports: [Metrics],
    };
  }
}

import { loadAppConfig } from './app-config';
import { configProblemsOf as problemsOf } from './config-problems.fake';

const base = { DATABASE_URL: 'postgresql://localhost/auth' };

describe('loadAppConfig: traces (OTEL_*)', () => {
  it('is off without an endpoint', () => {
    expect(loadAppConfig(base).tracing).toEqual({ export: undefined, serviceName: 'auth-service' });
  });

  it('sends to the endpoint’s /v1/traces, protobuf by default, with the headers decoded', () => {
    const config = loadAppConfig({
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.internal:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20k%3D1, x-tenant=auth',
      OTEL_SERVICE_NAME: 'auth-eu',
    });
    expect(config.tracing).toEqual({
      export: {
        tracesUrl: 'https://collector.internal:4318/v1/traces',
        protocol: 'http/protobuf',
        headers: { authorization: 'Bearer k=1', 'x-tenant': 'auth' },
      },
      serviceName: 'auth-eu',
    });
  });

  it('keeps a path under the endpoint, as a collector behind a gateway has', () => {
    const config = loadAppConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example.com/otlp' });
    expect(config.tracing.export?.tracesUrl).toBe('https://gw.example.com/otlp/v1/traces');
  });

  it('refuses malformed headers without echoing them, an unknown protocol and a non-HTTP endpoint', () => {
    expect(problemsOf({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'api-key-hunter2' })).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas',
    ]);
    expect(problemsOf({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'key=%E0%A4%A' })).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: the value of key is not percent-encoded correctly',
    ]);
    expect(problemsOf({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([
      expect.stringContaining('OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json'),
    ]);
    expect(problemsOf({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toEqual([
      expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT must be a URL starting with'),
    ]);
  });
});

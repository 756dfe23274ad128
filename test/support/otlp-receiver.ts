import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One span as a collector receives it, whichever encoding it came in. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly scope: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
}

export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

/**
 * An OpenTelemetry collector's OTLP/HTTP traces endpoint (POST /v1/traces) in the test process. It
 * decodes both encodings the service can send: JSON (`http/json`) and protobuf (`http/protobuf`, the
 * default), the latter with the small wire-format reader below, against the field numbers of
 * opentelemetry/proto/trace/v1/trace.proto.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: { path: string; contentType: string; headers: IncomingHttpHeaders }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const receiver: OtlpReceiver = new OtlpReceiver(
      createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const contentType = request.headers['content-type'] ?? '';
          receiver.requests.push({ path: request.url ?? '', contentType, headers: request.headers });
          const body = Buffer.concat(chunks);
          try {
            receiver.spans.push(
              ...(contentType.startsWith('application/json')
                ? fromJson(JSON.parse(body.toString()))
                : fromProtobuf(body)),
            );
            response.writeHead(200, { 'content-type': contentType }).end(contentType.includes('json') ? '{}' : '');
          } catch (error) {
            response.writeHead(400).end(String(error));
          }
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
}
interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
interface JsonExport {
  resourceSpans: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans: {
      scope?: { name?: string };
      spans: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: JsonKeyValue[];
      }[];
    }[];
  }[];
}

function jsonAttributes(list: JsonKeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ??
        value.boolValue ??
        (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue),
    ]),
  );
}

function fromJson(document: JsonExport): ReceivedSpan[] {
  return document.resourceSpans.flatMap((resourceSpans) =>
    resourceSpans.scopeSpans.flatMap((scopeSpans) =>
      scopeSpans.spans.map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        scope: scopeSpans.scope?.name ?? '',
        attributes: jsonAttributes(span.attributes),
        resource: jsonAttributes(resourceSpans.resource?.attributes),
      })),
    ),
  );
}

/** A protobuf message's fields, by number: varints as bigint, length-delimited ones as bytes. */
type Fields = Map<number, (bigint | Buffer)[]>;

function readFields(buffer: Buffer): Fields {
  const fields: Fields = new Map();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const field = key >>> 3;
    let value: bigint | Buffer;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = buffer.subarray(offset, (offset += 8));
        break;
      case 2: {
        const length = Number(varint());
        value = buffer.subarray(offset, (offset += length));
        break;
      }
      case 5:
        value = buffer.subarray(offset, (offset += 4));
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const messages = (fields: Fields, number: number): Fields[] =>
  (fields.get(number) ?? []).map((value) => readFields(value as Buffer));
const bytes = (fields: Fields, number: number): Buffer =>
  (fields.get(number)?.[0] as Buffer | undefined) ?? Buffer.alloc(0);
const varintOf = (fields: Fields, number: number): number =>
  Number((fields.get(number)?.[0] as bigint | undefined) ?? 0n);

// KeyValue { string key = 1; AnyValue value = 2; }
function protobufAttributes(keyValues: Fields[]): Record<string, unknown> {
  return Object.fromEntries(
    keyValues.map((keyValue) => [bytes(keyValue, 1).toString(), anyValue(messages(keyValue, 2)[0] ?? new Map())]),
  );
}

// AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
function anyValue(value: Fields): unknown {
  if (value.has(1)) return bytes(value, 1).toString();
  if (value.has(2)) return varintOf(value, 2) === 1;
  if (value.has(3)) return varintOf(value, 3);
  if (value.has(4)) return bytes(value, 4).readDoubleLE();
  return undefined;
}

// ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
// ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }, Resource { repeated KeyValue attributes = 1; }
// ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }, InstrumentationScope { string name = 1; }
// Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; repeated KeyValue attributes = 9; }
function fromProtobuf(body: Buffer): ReceivedSpan[] {
  return messages(readFields(body), 1).flatMap((resourceSpans) => {
    const resource = protobufAttributes(messages(messages(resourceSpans, 1)[0] ?? new Map(), 1));
    return messages(resourceSpans, 2).flatMap((scopeSpans) => {
      const scope = bytes(messages(scopeSpans, 1)[0] ?? new Map(), 1).toString();
      return messages(scopeSpans, 2).map((span) => ({
        traceId: bytes(span, 1).toString('hex'),
        spanId: bytes(span, 2).toString('hex'),
        parentSpanId: bytes(span, 4).toString('hex'),
        name: bytes(span, 5).toString(),
        kind: varintOf(span, 6),
        scope,
        attributes: protobufAttributes(messages(span, 9)),
        resource,
      }));
    });
  });
}

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { registerAdmin } from './support/accounts';
import { startTestApp } from './support/test-app';

// Every operation of the document the app serves, driven with inputs generated from the document
// itself: valid ones (which must never be refused as malformed) and broken ones (which must be 400),
// each answer checked against the responses the operation declares (status, media type, body schema).
// CONTRACT_SEED replays a run; CONTRACT_RUNS sets valid inputs per operation.
const SEED = process.env.CONTRACT_SEED ? Number(process.env.CONTRACT_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.CONTRACT_RUNS ?? 15);
const METHODS = ['get', 'post', 'patch', 'delete', 'put'] as const;
// The answers that mean "your request is malformed": a valid input must never get one of these.
const MALFORMED_CODES = new Set([
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
]);

type Schema = { [keyword: string]: unknown };
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
}
interface Document {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, Schema> };
}
interface Call {
  readonly path: string;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
}
interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: unknown;
  readonly text: string;
}

describe(`Contract: every operation answers as the document declares (CONTRACT_SEED=${SEED})`, () => {
  let app: NestFastifyApplication;
  let server: Server;
  let document: Document;
  let ajv: Ajv;
  const validators = new Map<Schema, ValidateFunction>();

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
    document = (await request(server).get('/docs/openapi.json')).body as Document;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('password', true);
    // RFC 6531 addresses (ajv-formats knows only ASCII email): one @, something on each side, no space.
    ajv.addFormat('idn-email', /^[^@\s]+@[^@\s]+$/u);
    ajv.addSchema(document, 'openapi');
  });

  afterAll(async () => {
    await app.close();
  });

  const resolve = (schema: Schema): Schema => {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    return resolve(document.components.schemas[ref.replace('#/components/schemas/', '')]);
  };

  /** Values the schema accepts, kept to what a client would plausibly send (no NUL, well-formed Unicode). */
  function valuesOf(raw: Schema): fc.Arbitrary<unknown> {
    const schema = resolve(raw);
    if (Array.isArray(schema.allOf)) return valuesOf(schema.allOf[0] as Schema);
    if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as Schema[]).map((branch) => valuesOf(branch)));
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    const minLength = (schema.minLength as number | undefined) ?? 0;
    const maxLength = Math.min((schema.maxLength as number | undefined) ?? 60, minLength + 60);
    switch (schema.type) {
      case 'string':
        switch (schema.format) {
          case 'email':
          case 'idn-email':
            return fc
              .tuple(fc.uuid(), fc.constantFrom('', 'Ada.', 'jos\u00e9-'))
              .map(([id, prefix]) => `${prefix}${id}@example.com`);
          case 'uuid':
            return fc.uuid();
          case 'password':
            return fc.string({
              unit: fc.constantFrom(...'abcdefghijkmnpqrstuvwxyz23456789 -'),
              minLength: Math.max(minLength, 16),
              maxLength: Math.max(maxLength, 16),
            });
          case 'date-time':
            return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
          default:
            if (typeof schema.pattern === 'string') {
              return fc
                .stringMatching(new RegExp(schema.pattern))
                .filter((text) => text.length >= minLength && text.length <= maxLength && text.trim().length > 0);
            }
            return fc
              .string({ unit: 'grapheme', minLength, maxLength })
              .filter(
                (text) =>
                  !text.includes('\u0000') &&
                  text.length >= minLength &&
                  text.length <= maxLength &&
                  text.trim().length > 0,
              );
        }
      case 'integer':
        return fc.integer({
          min: (schema.minimum as number | undefined) ?? -1000,
          max: (schema.maximum as number | undefined) ?? 1000,
        });
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(valuesOf(schema.items as Schema), { maxLength: 3 });
      default: {
        const properties = (schema.properties ?? {}) as Record<string, Schema>;
        const required = (schema.required ?? []) as string[];
        return fc.record(
          Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valuesOf(property)])),
          { requiredKeys: required },
        );
      }
    }
  }

  function callsOf(path: string, operation: Operation): fc.Arbitrary<Call> {
    const parameters = operation.parameters ?? [];
    const pathValues = parameters.filter((parameter) => parameter.in === 'path');
    const queryValues = parameters.filter((parameter) => parameter.in === 'query');
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    return fc.record({
      path: fc
        .tuple(...pathValues.map((parameter) => valuesOf(parameter.schema)))
        .map((values) =>
          pathValues.reduce(
            (built, parameter, index) =>
              built.replace(`{${parameter.name}}`, encodeURIComponent(String(values[index]))),
            path,
          ),
        ),
      query: fc.record(
        Object.fromEntries(queryValues.map((parameter) => [parameter.name, valuesOf(parameter.schema)])),
        { requiredKeys: queryValues.filter((parameter) => parameter.required).map((parameter) => parameter.name) },
      ),
      body: bodySchema ? valuesOf(bodySchema) : fc.constant(undefined),
    });
  }

  function validatorFor(schema: Schema): ValidateFunction {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile(
        JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"openapi#/components')) as Schema,
      );
      validators.set(schema, validate);
    }
    return validate;
  }

  /** What is wrong with an answer by the operation's declared responses; empty when nothing is. */
  function deviations(operation: Operation, answer: Answer): string[] {
    const declared = operation.responses[String(answer.status)] ?? operation.responses.default;
    if (!declared) return [`status ${answer.status} is not declared (${answer.text.slice(0, 200)})`];
    if (!declared.content) {
      return answer.text.length === 0
        ? []
        : [`status ${answer.status} declares no body, got ${answer.text.slice(0, 100)}`];
    }
    const mediaType = answer.contentType?.split(';')[0].trim() ?? '';
    const content = declared.content[mediaType];
    if (!content) return [`status ${answer.status}: media type ${mediaType || '(none)'} is not declared`];
    const validate = validatorFor(content.schema);
    return validate(answer.body)
      ? []
      : [
          `status ${answer.status}: body off its schema: ${ajv.errorsText(validate.errors)}; ${answer.text.slice(0, 200)}`,
        ];
  }

  async function send(method: string, operation: Operation, call: Call, token: string): Promise<Answer> {
    let sent = request(server)
      [method as 'get'](call.path)
      .query(call.query as Record<string, string>);
    if (operation.security === undefined || operation.security.length > 0)
      sent = sent.set('authorization', `Bearer ${token}`);
    const response = call.body === undefined ? await sent : await sent.send(call.body as object);
    let body: unknown = response.body;
    if (response.text && /json/.test(response.headers['content-type'] ?? '')) body = JSON.parse(response.text);
    return { status: response.status, contentType: response.headers['content-type'], body, text: response.text ?? '' };
  }

  it('answers generated valid and broken inputs to every operation as declared', async () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method]! })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const problems: string[] = [];
    let index = 0;
    for (const { path, method, operation } of operations) {
      // Its own admin for each operation: logout-all or a password change ends only that one's session.
      const admin = await registerAdmin(server, app.get(PrismaService));
      const label = `${method.toUpperCase()} ${path}`;
      const calls = fc.sample(callsOf(path, operation), { numRuns: RUNS, seed: SEED + index++ });
      for (const call of calls) {
        const answer = await send(method, operation, call, admin.accessToken);
        for (const deviation of deviations(operation, answer))
          problems.push(`${label} ${JSON.stringify(call)}: ${deviation}`);
        const code = (answer.body as { code?: string } | undefined)?.code;
        if (answer.status >= 500) problems.push(`${label} ${JSON.stringify(call)}: ${answer.status}`);
        if (code && MALFORMED_CODES.has(code))
          problems.push(`${label} ${JSON.stringify(call)}: valid input refused: ${answer.text.slice(0, 300)}`);
      }
      const body = operation.requestBody?.content['application/json']?.schema;
      const required = body ? ((resolve(body).required ?? []) as string[]) : [];
      if (body && calls.length > 0 && required.length > 0) {
        // Broken on purpose: a required field of the wrong type, then missing.
        const valid = calls[0].body as Record<string, unknown>;
        for (const broken of [
          { ...valid, [required[0]]: 12345 },
          Object.fromEntries(Object.entries(valid).filter(([name]) => name !== required[0])),
        ]) {
          const answer = await send(method, operation, { ...calls[0], body: broken }, admin.accessToken);
          for (const deviation of deviations(operation, answer)) problems.push(`${label} broken: ${deviation}`);
          if (answer.status !== 400 && answer.status !== 401)
            problems.push(`${label} broken ${JSON.stringify(broken)}: ${answer.status}, not 400`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { PROBLEM_CONTENT_TYPE } from '../problem-details/problem-details';
import { ProblemDetailsDto } from './problem-details.dto';

/**
 * Documents the problem-details responses a route adds of its own, each status listing its codes.
 * What the global guards and pipes imply (401 on protected routes, 400/413/415 on bodies, 403 with
 * @Roles) is added by the document builder, so routes list only their domain codes.
 */
export function ApiProblemResponses(...codes: DocumentedProblem[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...[...codesByStatus(codes)].map(([status, statusCodes]) =>
      ApiResponse({ status, ...problemResponse(status, statusCodes) }),
    ),
  );
}

/** A code answered with its status, or with one of its ALTERNATE_STATUS where a route does so. */
export type DocumentedProblem = ErrorCode | { readonly code: ErrorCode; readonly status: number };

export function codesByStatus(codes: readonly DocumentedProblem[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const entry of codes) {
    const { code, status } = typeof entry === 'string' ? { code: entry, status: ERROR_STATUS[entry] } : entry;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

/** The extension members a code's problem carries (RFC 9457 section 3.2), typed for generated clients. */
const PROBLEM_MEMBERS: Partial<Record<ErrorCode, Record<string, Record<string, unknown>>>> = {
  MFA_REQUIRED: {
    mfaToken: {
      type: 'string',
      maxLength: 64,
      description: 'With MFA_REQUIRED: send it with a code to POST /auth/mfa/verify within 5 minutes; single use',
    },
    methods: {
      type: 'array',
      maxItems: 3,
      items: { type: 'string', enum: ['totp', 'recovery_code', 'webauthn'] },
      description: 'With MFA_REQUIRED: the second factors this account can use',
    },
  },
};

/** The response object of one status: the shared problem schema narrowed to that status and its codes. */
export function problemResponse(status: number, codes: readonly ErrorCode[]) {
  return {
    description: `${STATUS_CODES[status] ?? 'Error'}: ${codes.join(', ')}`,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ProblemDetailsDto) },
            {
              type: 'object' as const,
              properties: {
                status: { type: 'integer' as const, enum: [status] },
                code: { type: 'string' as const, enum: [...codes] },
                ...membersOf(codes),
              },
            },
          ],
        },
      },
    },
  };
}

function membersOf(codes: readonly ErrorCode[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(codes.flatMap((code) => Object.entries(PROBLEM_MEMBERS[code] ?? {})));
}

/** The codes an existing problem response already lists (empty when it is not one of ours). */
export function documentedCodes(response: unknown): ErrorCode[] {
  type LooseProblem = {
    content?: Record<string, { schema?: { allOf?: Array<{ properties?: { code?: { enum?: ErrorCode[] } } }> } }>;
  };
  const schema = (response as LooseProblem | undefined)?.content?.[PROBLEM_CONTENT_TYPE]?.schema;
  return schema?.allOf?.[1]?.properties?.code?.enum ?? [];
}

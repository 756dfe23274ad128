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
export function ApiProblemResponses(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...[...codesByStatus(codes)].map(([status, statusCodes]) =>
      ApiResponse({ status, ...problemResponse(status, statusCodes) }),
    ),
  );
}

export function codesByStatus(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return byStatus;
}

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
              },
            },
          ],
        },
      },
    },
  };
}

/** The codes an existing problem response already lists (empty when it is not one of ours). */
export function documentedCodes(response: unknown): ErrorCode[] {
  type LooseProblem = {
    content?: Record<string, { schema?: { allOf?: Array<{ properties?: { code?: { enum?: ErrorCode[] } } }> } }>;
  };
  const schema = (response as LooseProblem | undefined)?.content?.[PROBLEM_CONTENT_TYPE]?.schema;
  return schema?.allOf?.[1]?.properties?.code?.enum ?? [];
}

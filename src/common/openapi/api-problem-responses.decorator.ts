import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { PROBLEM_CONTENT_TYPE } from '../problem-details/problem-details';
import { ProblemDetailsDto } from './problem-details.dto';

/** Documents the problem-details responses of a route, each status listing the codes it can carry. */
export function ApiProblemResponses(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...[...byStatus].map(([status, statusCodes]) => ApiResponse(problemResponse(status, statusCodes))),
  );
}

export function problemResponse(status: number, codes: readonly ErrorCode[]) {
  return {
    status,
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

import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ErrorCode } from '../errors/error-code';
import { sendProblem } from './problem-details.filter';
import { PROBLEM_CONTENT_TYPE, problemDetails } from './problem-details';

const logger = new Logger('HttpServer');

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or Nest layer runs (a path
 * segment over maxParamLength, a malformed URL) is answered as problem details like everything else.
 */
export function answerFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(error, request, reply, logger);
}

// What Node's HTTP parser reports before there is a request, and how it is answered.
const CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    detail: 'The request was not received in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    detail: 'The request headers are larger than this service accepts',
  },
};
const MALFORMED = { status: 400, code: 'MALFORMED_REQUEST' as const, detail: 'The request is not valid HTTP' };

/**
 * Fastify's `clientErrorHandler`: a request Node could not parse, or that did not arrive within the
 * request timeout, is answered with problem details on the raw socket, which is then closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, detail } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  if (socket.writable) {
    const problem = problemDetails(status, code, detail);
    const body = JSON.stringify({ ...problem, requestId: randomUUID() });
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

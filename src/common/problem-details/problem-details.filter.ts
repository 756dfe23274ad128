import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { exceptionToProblem } from './exception-to-problem';
import { PROBLEM_CONTENT_TYPE } from './problem-details';

/** Global filter: every error leaves the service as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { problem, headers, isServerFault } = exceptionToProblem(error);
  if (isServerFault) {
    logger.error(
      { err: error, requestId: request.id, status: problem.status },
      `${request.method} ${request.routeOptions?.url ?? 'unmatched route'} failed`,
    );
  }
  if (reply.sent) return;
  void reply
    .status(problem.status)
    .headers(headers)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...problem, requestId: String(request.id) });
}

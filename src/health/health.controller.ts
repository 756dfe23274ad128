import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../common/access-control/public.decorator';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { ReadinessService } from './readiness.service';
import { HealthResponseDto } from './health-response.dto';

@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Liveness: the process is up and answering',
    description: 'Also 503 for a few seconds after the event loop stalled longer than LIVENESS_EVENT_LOOP_LIMIT.',
    operationId: 'getLiveness',
  })
  @ApiOkResponse({ description: 'The process is up', type: HealthResponseDto })
  @ApiProblemResponses('SERVICE_UNAVAILABLE')
  liveness(): Promise<HealthCheckResult> {
    return this.readiness.liveness();
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database (and Redis, when configured) answer', operationId: 'getReadiness' })
  @ApiOkResponse({ description: 'Every dependency answers', type: HealthResponseDto })
  @ApiProblemResponses('SERVICE_UNAVAILABLE')
  readinessCheck(): Promise<HealthCheckResult> {
    return this.readiness.readiness();
  }
}

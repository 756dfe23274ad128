import { ApiProperty } from '@nestjs/swagger';

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down', 'degraded'], example: 'ok' })
  status!: string;

  @ApiProperty({
    description: 'One entry per checked dependency',
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['up', 'down', 'degraded'] } },
    },
    example: { database: { status: 'up' } },
  })
  details!: Record<string, { status: string }>;
}

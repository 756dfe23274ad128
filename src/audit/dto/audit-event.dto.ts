import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/pagination/page.dto';
import type { AuditEvent } from '../../generated/prisma/client';
import { AuditEventType } from '../../generated/prisma/enums';
import { DATE_TIME_SCHEMA, UUID_SCHEMA } from '../../common/openapi/schema-bounds';
import { MAX_EMAIL_LENGTH } from '../../common/validation/email-address';
import { MAX_USER_AGENT_LENGTH } from '../../common/client-address/client-info.decorator';

export class AuditEventDto {
  @ApiProperty(UUID_SCHEMA)
  id!: string;

  @ApiProperty({ enum: AuditEventType, enumName: 'AuditEventType' })
  type!: AuditEventType;

  @ApiProperty(DATE_TIME_SCHEMA)
  occurredAt!: string;

  @ApiProperty({
    ...UUID_SCHEMA,
    nullable: true,
    description: 'Who acted; null for the system or an anonymous caller',
  })
  actorId!: string | null;

  @ApiProperty({ ...UUID_SCHEMA, nullable: true, description: 'Whom the event concerns' })
  subjectId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: MAX_EMAIL_LENGTH,
    description: 'The email concerned, as given (after the normalisation every email field applies)',
  })
  email!: string | null;

  @ApiProperty({ ...UUID_SCHEMA, nullable: true })
  sessionId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: MAX_USER_AGENT_LENGTH })
  userAgent!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Event specifics' })
  details!: Record<string, unknown> | null;

  static from(event: AuditEvent): AuditEventDto {
    return Object.assign(new AuditEventDto(), {
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      actorId: event.actorId,
      subjectId: event.subjectId,
      email: event.email,
      sessionId: event.sessionId,
      ip: event.ip,
      userAgent: event.userAgent,
      details: (event.details as Record<string, unknown> | null) ?? null,
    });
  }
}

export class AuditEventPageDto extends PageDto(AuditEventDto) {}

export class ListAuditEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ ...UUID_SCHEMA, description: 'Events this user acted in or was the subject of' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: AuditEventType, enumName: 'AuditEventType' })
  @IsOptional()
  @IsEnum(AuditEventType)
  type?: AuditEventType;
}

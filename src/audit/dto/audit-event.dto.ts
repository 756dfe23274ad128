import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/pagination/page.dto';
import type { AuditEvent } from '../../generated/prisma/client';
import { AuditEventType } from '../../generated/prisma/enums';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: AuditEventType, enumName: 'AuditEventType' })
  type!: AuditEventType;

  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Who acted; null for the system or an anonymous caller',
  })
  actorId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Whom the event concerns' })
  subjectId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The email concerned, as given' })
  email!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  sessionId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
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
  @ApiPropertyOptional({ format: 'uuid', description: 'Events this user acted in or was the subject of' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: AuditEventType, enumName: 'AuditEventType' })
  @IsOptional()
  @IsEnum(AuditEventType)
  type?: AuditEventType;
}

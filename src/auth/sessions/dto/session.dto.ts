import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../../../generated/prisma/client';

/** A live session as its owner sees it. */
export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  lastUsedAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the session ends unless refreshed before (never after its absolute limit)',
  })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ description: 'True for the session of the access token making this request' })
  current!: boolean;

  static from(session: Session, currentSessionId: string): SessionDto {
    return Object.assign(new SessionDto(), {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.idleExpiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === currentSessionId,
    });
  }
}

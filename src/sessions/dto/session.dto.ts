import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../../generated/prisma/client';
import { DATE_TIME_SCHEMA, UUID_SCHEMA } from '../../common/openapi/schema-bounds';
import { MAX_USER_AGENT_LENGTH } from '../../common/client-address/client-info.decorator';

/** A live session as its owner sees it. */
export class SessionDto {
  @ApiProperty(UUID_SCHEMA)
  id!: string;

  @ApiProperty(DATE_TIME_SCHEMA)
  createdAt!: string;

  @ApiProperty(DATE_TIME_SCHEMA)
  lastUsedAt!: string;

  @ApiProperty({
    ...DATE_TIME_SCHEMA,
    description: 'When the session ends unless refreshed before (never after its absolute limit)',
  })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true, maxLength: MAX_USER_AGENT_LENGTH })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ description: 'True for the session of the access token making this request' })
  current!: boolean;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: ['pwd', 'otp', 'hwk', 'swk', 'user', 'mfa', 'fed'] },
    maxItems: 7,
    description:
      'RFC 8176 methods of its last authentication: `hwk` or `swk` where a passkey signed in or gave the second factor',
  })
  amr!: string[];

  static from(session: Session, currentSessionId: string): SessionDto {
    return Object.assign(new SessionDto(), {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.idleExpiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === currentSessionId,
      amr: session.amr,
    });
  }
}

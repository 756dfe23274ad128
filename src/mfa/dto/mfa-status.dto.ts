import { ApiProperty } from '@nestjs/swagger';
import type { MfaStatus } from '../mfa.service';

/** The authenticator as GET /auth/mfa shows it. */
export interface TotpStatusDto {
  enabled: boolean;
  createdAt: string;
}

export class MfaStatusDto {
  // Inline rather than a $ref: `nullable` applies to an inline object in OpenAPI 3.0, not beside allOf.
  @ApiProperty({
    type: 'object',
    nullable: true,
    description: 'The authenticator, or null when none was set up',
    properties: {
      enabled: { type: 'boolean', description: 'False while the enrolment waits for its first code' },
      createdAt: {
        type: 'string',
        format: 'date-time',
        maxLength: 27,
        description: 'When the authenticator was set up',
      },
    },
    required: ['enabled', 'createdAt'],
  })
  totp!: TotpStatusDto | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 10, description: 'Unused recovery codes' })
  recoveryCodesLeft!: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 20,
    description: 'Registered passkeys (each one a second factor)',
  })
  passkeys!: number;

  static from(status: MfaStatus): MfaStatusDto {
    return {
      totp: status.totp ? { enabled: status.totp.enabled, createdAt: status.totp.createdAt.toISOString() } : null,
      recoveryCodesLeft: status.recoveryCodesLeft,
      passkeys: status.passkeys,
    };
  }
}

export class TotpEnrolmentDto {
  @ApiProperty({
    description: 'The secret in base32, for typing into an authenticator app',
    maxLength: 64,
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret!: string;

  @ApiProperty({
    description: 'The otpauth:// URI authenticator apps read',
    maxLength: 1024,
    example:
      'otpauth://totp/Auth%20Service:ada%40example.com?issuer=Auth%20Service&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
  })
  otpauthUrl!: string;

  @ApiProperty({
    description: 'The URI as a QR code: an SVG data URL for an <img>',
    maxLength: 65536,
    example: 'data:image/svg+xml;base64,PHN2Zy...',
  })
  qrCodeDataUrl!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', maxLength: 14, pattern: '^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$' },
    minItems: 10,
    maxItems: 10,
    description: 'Shown once: each signs in once in place of a code. Keep them somewhere safe',
    example: [
      '7K2M-QX9D-4HTB',
      '3RWA-9ZK4-PM2E',
      'Q8TN-5XVB-1HJC',
      'D6FY-2KQW-8NMR',
      'ZB4H-7PXT-3CWK',
      'M1VE-6QRA-9TZD',
      'H5KC-0WNF-2YBQ',
      'T9XP-4MDH-6VAS',
      'A3QJ-8ZRK-1EWN',
      'F7BW-5TYC-0KMG',
    ],
  })
  recoveryCodes!: string[];
}

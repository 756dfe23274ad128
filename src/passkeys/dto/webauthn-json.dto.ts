import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

/**
 * The JSON forms of WebAuthn credentials (WebAuthn Level 3 `toJSON()`, and what @simplewebauthn/browser
 * sends): binary fields are unpadded base64url. Bounds are generous for every authenticator in use and
 * far below the body limit.
 */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const Base64UrlField = (description: string, maxLength: number, { optional = false } = {}) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ description, pattern: BASE64URL.source, minLength: 1, maxLength }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    MinLength(1),
    MaxLength(maxLength),
    Matches(BASE64URL, { message: 'must be unpadded base64url' }),
  );

export const AUTHENTICATOR_TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
const ATTACHMENTS = ['platform', 'cross-platform'] as const;
// A credential id is at most 1023 bytes (WebAuthn Level 3), 1364 characters of base64url.
const MAX_CREDENTIAL_ID = 1364;

const TransportsField = ({ optional = false } = {}) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({
      description: 'How the client can reach the authenticator',
      type: 'array',
      items: { type: 'string', enum: [...AUTHENTICATOR_TRANSPORTS] },
      maxItems: AUTHENTICATOR_TRANSPORTS.length,
    }),
    ...(optional ? [IsOptional()] : []),
    IsArray(),
    ArrayMaxSize(AUTHENTICATOR_TRANSPORTS.length),
    IsIn(AUTHENTICATOR_TRANSPORTS, { each: true }),
  );

abstract class PublicKeyCredentialJsonDto {
  @Base64UrlField('The credential id', MAX_CREDENTIAL_ID)
  id!: string;

  @Base64UrlField('The credential id again (the same bytes)', MAX_CREDENTIAL_ID)
  rawId!: string;

  @ApiProperty({ enum: ['public-key'] })
  @Equals('public-key')
  type!: 'public-key';

  @ApiPropertyOptional({ enum: [...ATTACHMENTS] })
  @IsOptional()
  @IsIn(ATTACHMENTS)
  authenticatorAttachment?: (typeof ATTACHMENTS)[number];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The client extension outputs, as the browser gives them',
  })
  @IsObject()
  clientExtensionResults!: Record<string, unknown>;
}

export class AttestationResponseJsonDto {
  @Base64UrlField('The client data the authenticator signed over', 4096)
  clientDataJSON!: string;

  @Base64UrlField('The attestation object (CBOR)', 16384)
  attestationObject!: string;

  @Base64UrlField('The authenticator data', 4096, { optional: true })
  authenticatorData?: string;

  @TransportsField({ optional: true })
  transports?: (typeof AUTHENTICATOR_TRANSPORTS)[number][];

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: -65536, maximum: 65535 })
  @IsOptional()
  @IsInt()
  publicKeyAlgorithm?: number;

  @Base64UrlField('The public key (SubjectPublicKeyInfo)', 4096, { optional: true })
  publicKey?: string;
}

export class AssertionResponseJsonDto {
  @Base64UrlField('The client data the authenticator signed over', 4096)
  clientDataJSON!: string;

  @Base64UrlField('The authenticator data', 4096)
  authenticatorData!: string;

  @Base64UrlField('The signature over the authenticator data and the client data hash', 2048)
  signature!: string;

  @Base64UrlField('The user handle of a discoverable credential', 86, { optional: true })
  userHandle?: string;
}

/** The answer of `navigator.credentials.create()` (RegistrationResponseJSON). */
export class RegistrationResponseJsonDto extends PublicKeyCredentialJsonDto {
  @ApiProperty({ type: AttestationResponseJsonDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AttestationResponseJsonDto)
  response!: AttestationResponseJsonDto;
}

/** The answer of `navigator.credentials.get()` (AuthenticationResponseJSON). */
export class AuthenticationResponseJsonDto extends PublicKeyCredentialJsonDto {
  @ApiProperty({ type: AssertionResponseJsonDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionResponseJsonDto)
  response!: AssertionResponseJsonDto;
}

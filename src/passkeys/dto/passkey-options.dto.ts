import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UUID_SCHEMA } from '../../common/openapi/schema-bounds';
import { AUTHENTICATOR_TRANSPORTS } from './webauthn-json.dto';

// The options as WebAuthn Level 3 gives them in JSON (PublicKeyCredentialCreationOptionsJSON and
// PublicKeyCredentialRequestOptionsJSON): what PublicKeyCredential.parseCreationOptionsFromJSON() and
// @simplewebauthn/browser take as they are.

const CHALLENGE = {
  description: 'Random bytes to sign, base64url',
  pattern: '^[A-Za-z0-9_-]+$',
  maxLength: 128,
} as const;
const USER_VERIFICATION = ['required', 'preferred', 'discouraged'];

class RelyingPartyDto {
  @ApiProperty({ description: 'The relying party ID (WEBAUTHN_RP_ID)', maxLength: 253 })
  id!: string;

  @ApiProperty({ description: 'WEBAUTHN_RP_NAME', maxLength: 256 })
  name!: string;
}

class UserEntityDto {
  @ApiProperty({ description: 'The user handle, base64url: the account id’s bytes, nothing personal', maxLength: 86 })
  id!: string;

  @ApiProperty({ description: 'The account’s email', maxLength: 320 })
  name!: string;

  @ApiProperty({ description: 'The account’s name, or its email', maxLength: 320 })
  displayName!: string;
}

class CredentialParameterDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: -65536,
    maximum: 65535,
    description: 'A COSE algorithm: -8 EdDSA, -7 ES256, -257 RS256',
  })
  alg!: number;

  @ApiProperty({ enum: ['public-key'] })
  type!: 'public-key';
}

export class CredentialDescriptorDto {
  @ApiProperty({ description: 'A credential id, base64url', maxLength: 1364 })
  id!: string;

  @ApiProperty({ enum: ['public-key'] })
  type!: 'public-key';

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...AUTHENTICATOR_TRANSPORTS] },
    maxItems: AUTHENTICATOR_TRANSPORTS.length,
  })
  transports?: string[];
}

class AuthenticatorSelectionDto {
  @ApiPropertyOptional({ enum: ['discouraged', 'preferred', 'required'] })
  residentKey?: string;

  @ApiPropertyOptional()
  requireResidentKey?: boolean;

  @ApiPropertyOptional({ enum: USER_VERIFICATION })
  userVerification?: string;

  @ApiPropertyOptional({ enum: ['platform', 'cross-platform'] })
  authenticatorAttachment?: string;
}

/** What both ceremonies' options may carry beside their own: extension inputs and client hints. */
abstract class CeremonyOptionsDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  extensions?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: ['security-key', 'client-device', 'hybrid'] },
    maxItems: 3,
  })
  hints?: string[];
}

export class PasskeyCreationOptionsDto extends CeremonyOptionsDto {
  @ApiProperty(CHALLENGE)
  challenge!: string;

  @ApiProperty({ type: RelyingPartyDto })
  rp!: RelyingPartyDto;

  @ApiProperty({ type: UserEntityDto })
  user!: UserEntityDto;

  @ApiProperty({ type: [CredentialParameterDto], maxItems: 16 })
  pubKeyCredParams!: CredentialParameterDto[];

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 600000,
    description: 'Milliseconds the browser waits',
  })
  timeout?: number;

  @ApiPropertyOptional({
    type: [CredentialDescriptorDto],
    maxItems: 20,
    description: 'The account’s passkeys: an authenticator holding one is not registered twice',
  })
  excludeCredentials?: CredentialDescriptorDto[];

  @ApiPropertyOptional({ type: AuthenticatorSelectionDto })
  authenticatorSelection?: AuthenticatorSelectionDto;

  @ApiPropertyOptional({ enum: ['none', 'indirect', 'direct', 'enterprise'] })
  attestation?: string;
}

export class PasskeyRequestOptionsDto extends CeremonyOptionsDto {
  @ApiProperty(CHALLENGE)
  challenge!: string;

  @ApiPropertyOptional({ description: 'The relying party ID (WEBAUTHN_RP_ID)', maxLength: 253 })
  rpId?: string;

  @ApiPropertyOptional({
    type: [CredentialDescriptorDto],
    maxItems: 20,
    description: 'Present when an email was given: the passkeys the browser may use. Absent: any discoverable one',
  })
  allowCredentials?: CredentialDescriptorDto[];

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 600000,
    description: 'Milliseconds the browser waits',
  })
  timeout?: number;

  @ApiPropertyOptional({ enum: USER_VERIFICATION })
  userVerification?: string;
}

export class PasskeyAuthenticationOptionsDto {
  @ApiProperty({ ...UUID_SCHEMA, description: 'Send it back with the assertion' })
  challengeId!: string;

  @ApiProperty({ type: PasskeyRequestOptionsDto, description: 'For navigator.credentials.get({ publicKey })' })
  options!: PasskeyRequestOptionsDto;
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { SsoProviderType } from '../../../config/sso-config';
import { EmailField } from '../../dto/email-field.decorator';

const PROVIDER_NAME = {
  description: 'The provider’s name in SSO_PROVIDERS',
  pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
  maxLength: 32,
} as const;

export class SsoProviderDto {
  @ApiProperty(PROVIDER_NAME)
  name!: string;

  @ApiProperty({ description: 'What a "Continue with …" button says', maxLength: 200 })
  displayName!: string;

  @ApiProperty({
    enum: ['oidc', 'oauth2', 'github'],
    description: 'oidc: OpenID Connect, discovered from its issuer; oauth2: plain OAuth 2.0 with userinfo; github',
  })
  type!: SsoProviderType;
}

export class SsoDiscoverDto {
  @EmailField()
  email!: string;
}

export class SsoDiscoveryDto {
  @ApiProperty({
    ...PROVIDER_NAME,
    type: String,
    nullable: true,
    description: 'The provider owning the email’s domain, or null',
  })
  provider!: string | null;
}

export class SsoExchangeDto {
  @ApiProperty({
    description: 'The one-time code the callback gave the app (60 s)',
    pattern: '^[A-Za-z0-9_-]{43}$',
    minLength: 43,
    maxLength: 43,
  })
  @IsString()
  @MinLength(43)
  @MaxLength(43)
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'code must be the 43 characters the callback gave' })
  code!: string;
}

export class SsoLinkDto {
  @ApiProperty({
    description: 'Where the browser returns with the code: one of SSO_REDIRECT_URIS',
    maxLength: 2048,
    format: 'uri',
  })
  @IsString()
  @MaxLength(2048)
  redirect_uri!: string;
}

export class SsoLinkStartDto {
  @ApiProperty({
    description: 'The provider’s authorization URL: send the browser there',
    maxLength: 8192,
    format: 'uri',
  })
  url!: string;
}

export class IdentityDto {
  @ApiProperty({ type: String, format: 'uuid', minLength: 36, maxLength: 36 })
  id!: string;

  @ApiProperty(PROVIDER_NAME)
  provider!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 320,
    description: 'The email the provider gave when it was linked',
  })
  email!: string | null;

  @ApiProperty({ type: String, format: 'date-time', maxLength: 27 })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', maxLength: 27, nullable: true })
  lastUsedAt!: string | null;
}

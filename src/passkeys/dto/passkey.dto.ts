import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DATE_TIME_SCHEMA, UUID_SCHEMA } from '../../common/openapi/schema-bounds';
import type { Passkey } from '../../generated/prisma/client';
import { AUTHENTICATOR_TRANSPORTS, RegistrationResponseJsonDto } from './webauthn-json.dto';

export const MAX_PASSKEY_NAME_LENGTH = 64;
// Something a person can read back in a list: no leading or trailing space (control characters are screened out).
const NAME_PATTERN = /^\S(.*\S)?$/;

const nameProperty = {
  description: 'A name the owner recognises the passkey by, e.g. "MacBook" or "YubiKey 5"',
  minLength: 1,
  maxLength: MAX_PASSKEY_NAME_LENGTH,
  pattern: NAME_PATTERN.source,
  example: 'MacBook',
} as const;

/** A passkey as its owner sees it: nothing of the key itself. */
export class PasskeyDto {
  @ApiProperty(UUID_SCHEMA)
  id!: string;

  @ApiProperty({ ...nameProperty, pattern: undefined, minLength: undefined })
  name!: string;

  @ApiProperty(DATE_TIME_SCHEMA)
  createdAt!: string;

  @ApiProperty({ ...DATE_TIME_SCHEMA, nullable: true, description: 'The last login or second factor it gave' })
  lastUsedAt!: string | null;

  @ApiProperty({ description: 'Whether the passkey is synced (backed up) to other devices by its provider' })
  backedUp!: boolean;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...AUTHENTICATOR_TRANSPORTS] },
    maxItems: AUTHENTICATOR_TRANSPORTS.length,
    description: 'How browsers can reach its authenticator',
  })
  transports!: string[];

  static from(passkey: Passkey): PasskeyDto {
    return {
      id: passkey.id,
      name: passkey.name,
      createdAt: passkey.createdAt.toISOString(),
      lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
      backedUp: passkey.backedUp,
      transports: passkey.transports.filter((transport) =>
        (AUTHENTICATOR_TRANSPORTS as readonly string[]).includes(transport),
      ),
    };
  }
}

export class RegisterPasskeyDto {
  @ApiProperty({
    type: RegistrationResponseJsonDto,
    description: 'What navigator.credentials.create() answered, as JSON',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => RegistrationResponseJsonDto)
  response!: RegistrationResponseJsonDto;

  @ApiPropertyOptional({ ...nameProperty, description: `${nameProperty.description}; unset, "Passkey added <date>"` })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PASSKEY_NAME_LENGTH)
  @Matches(NAME_PATTERN, { message: 'name must not start or end with a space' })
  name?: string;
}

export class RenamePasskeyDto {
  @ApiProperty(nameProperty)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PASSKEY_NAME_LENGTH)
  @Matches(NAME_PATTERN, { message: 'name must not start or end with a space' })
  name!: string;
}

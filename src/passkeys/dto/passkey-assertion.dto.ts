import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsUUID, ValidateNested } from 'class-validator';
import { UUID_SCHEMA } from '../../common/openapi/schema-bounds';
import { AuthenticationResponseJsonDto } from './webauthn-json.dto';

/** A passkey's answer to the options of one challenge: a login, or a second factor. */
export class PasskeyAssertionDto {
  @ApiProperty({ ...UUID_SCHEMA, description: 'The challengeId of POST /auth/passkeys/authentication/options' })
  @IsUUID()
  challengeId!: string;

  @ApiProperty({
    type: AuthenticationResponseJsonDto,
    description: 'What navigator.credentials.get() answered, as JSON',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationResponseJsonDto)
  response!: AuthenticationResponseJsonDto;
}

import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { PasskeyAssertionDto } from '../../../passkeys/dto/passkey-assertion.dto';
import { MfaCodeField, RecoveryCodeField } from '../../../mfa/dto/mfa-code-field.decorator';
import { OneTimeTokenField } from '../../action-tokens/one-time-token-field.decorator';

/** A second factor: `code`, `recoveryCode` or `passkey`, exactly one (see proofOf). */
export class SecondFactorDto {
  // Required unless a recovery code or a passkey is given instead.
  @ValidateIf(
    (body: SecondFactorDto) =>
      body.code !== undefined || (body.recoveryCode === undefined && body.passkey === undefined),
  )
  @MfaCodeField({ optional: true })
  code?: string;

  @IsOptional()
  @RecoveryCodeField({ optional: true })
  recoveryCode?: string;

  @ApiPropertyOptional({ type: PasskeyAssertionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PasskeyAssertionDto)
  passkey?: PasskeyAssertionDto;
}

export class VerifyMfaDto extends SecondFactorDto {
  @OneTimeTokenField('The mfaToken of the MFA_REQUIRED answer to the login')
  mfaToken!: string;
}

// The bodies as the document gives them to generated clients: one factor or the other (oneOf).
export class CodeDto {
  @MfaCodeField()
  code!: string;
}

export class RecoveryCodeDto {
  @RecoveryCodeField()
  recoveryCode!: string;
}

export class PasskeyFactorDto {
  @ApiProperty({
    type: PasskeyAssertionDto,
    description: 'An assertion with the options of POST /auth/passkeys/authentication/options (give the email)',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PasskeyAssertionDto)
  passkey!: PasskeyAssertionDto;
}

export class VerifyWithCodeDto extends CodeDto {
  @OneTimeTokenField('The mfaToken of the MFA_REQUIRED answer to the login')
  mfaToken!: string;
}

export class VerifyWithRecoveryCodeDto extends RecoveryCodeDto {
  @OneTimeTokenField('The mfaToken of the MFA_REQUIRED answer to the login')
  mfaToken!: string;
}

export class VerifyWithPasskeyDto extends PasskeyFactorDto {
  @OneTimeTokenField('The mfaToken of the MFA_REQUIRED answer to the login')
  mfaToken!: string;
}

/** The documented body of a route that takes SecondFactorDto or VerifyMfaDto: exactly one factor. */
export const oneFactorOf = (...bodies: (new () => unknown)[]) => ({
  schema: { oneOf: bodies.map((body) => ({ $ref: getSchemaPath(body) })) },
});

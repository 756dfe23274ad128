import { getSchemaPath } from '@nestjs/swagger';
import { IsOptional, ValidateIf } from 'class-validator';
import { MfaCodeField, RecoveryCodeField } from '../../../mfa/dto/mfa-code-field.decorator';
import { OneTimeTokenField } from '../../action-tokens/one-time-token-field.decorator';

/** A second factor: `code`, or `recoveryCode` instead (never both; see proofOf). */
export class SecondFactorDto {
  // Required unless a recovery code is given instead.
  @ValidateIf((body: SecondFactorDto) => body.code !== undefined || body.recoveryCode === undefined)
  @MfaCodeField({ optional: true })
  code?: string;

  @IsOptional()
  @RecoveryCodeField({ optional: true })
  recoveryCode?: string;
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

export class VerifyWithCodeDto extends CodeDto {
  @OneTimeTokenField('The mfaToken of the MFA_REQUIRED answer to the login')
  mfaToken!: string;
}

export class VerifyWithRecoveryCodeDto extends RecoveryCodeDto {
  @OneTimeTokenField('The mfaToken of the MFA_REQUIRED answer to the login')
  mfaToken!: string;
}

/** The documented body of a route that takes SecondFactorDto or VerifyMfaDto. */
export const oneFactorOf = (withCode: new () => unknown, withRecoveryCode: new () => unknown) => ({
  schema: { oneOf: [{ $ref: getSchemaPath(withCode) }, { $ref: getSchemaPath(withRecoveryCode) }] },
});

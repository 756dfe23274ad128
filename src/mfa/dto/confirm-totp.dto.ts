import { MfaCodeField } from './mfa-code-field.decorator';

export class ConfirmTotpDto {
  @MfaCodeField()
  code!: string;
}

import { OneTimeTokenField } from '../../action-tokens/one-time-token-field.decorator';
import { NewPasswordField } from '../../dto/new-password-field.decorator';

export class ResetPasswordDto {
  @OneTimeTokenField('The token from the reset link')
  token!: string;

  @NewPasswordField()
  newPassword!: string;
}

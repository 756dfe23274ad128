import { NewPasswordField } from './new-password-field.decorator';
import { PresentedPasswordField } from './presented-password-field.decorator';

export class ChangePasswordDto {
  @PresentedPasswordField()
  currentPassword!: string;

  @NewPasswordField()
  newPassword!: string;
}

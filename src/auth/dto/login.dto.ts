import { EmailField } from './email-field.decorator';
import { PresentedPasswordField } from './presented-password-field.decorator';

export class LoginDto {
  @EmailField()
  email!: string;

  @PresentedPasswordField()
  password!: string;
}

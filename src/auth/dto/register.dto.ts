import { UserNameField } from '../../users/dto/user-name-field.decorator';
import { EmailField } from './email-field.decorator';
import { NewPasswordField } from './new-password-field.decorator';

export class RegisterDto {
  @EmailField()
  email!: string;

  @NewPasswordField()
  password!: string;

  @UserNameField({ nullable: false })
  name?: string;
}

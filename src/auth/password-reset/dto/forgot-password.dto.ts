import { EmailField } from '../../dto/email-field.decorator';

export class ForgotPasswordDto {
  @EmailField()
  email!: string;
}

import { EmailField } from '../../dto/email-field.decorator';

export class PasskeyAuthenticationOptionsRequestDto {
  /** Absent: any discoverable passkey of this site (the browser lists them). */
  @EmailField({ optional: true })
  email?: string;
}

import { OneTimeTokenField } from '../../action-tokens/one-time-token-field.decorator';

export class VerifyEmailDto {
  @OneTimeTokenField('The token from the verification link')
  token!: string;
}

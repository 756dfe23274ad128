import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AcceptedDto } from '../../common/openapi/accepted.dto';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { Client } from '../../common/client-address/client-info.decorator';
import { Public } from '../../common/access-control/public.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { ForgotPasswordDto } from './dto/forgot-password.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { PasswordResetService } from './password-reset.service';
import { CredentialRoute } from '../throttling/credential-route.decorator';

const RESET_REQUESTED = 'If an account exists for this email, a link to reset its password is on its way.';

@ApiTags('auth')
@Controller('auth')
export class PasswordResetController {
  constructor(private readonly passwordReset: PasswordResetService) {}

  @Public()
  @CredentialRoute()
  @Post('forgot-password')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail a one-time password-reset link',
    description:
      'Always 202 with the same body, answered before the email is even looked up, so neither the answer ' +
      'nor its timing tells whether an account exists. A link (valid PASSWORD_RESET_TTL, 30 min by default) ' +
      'is mailed only to an existing active account; it replaces any earlier link.',
    operationId: 'forgotPassword',
  })
  @ApiAcceptedResponse({ description: 'Taken, whether or not the account exists', type: AcceptedDto })
  forgotPassword(@Body() body: ForgotPasswordDto): AcceptedDto {
    this.passwordReset.requestReset(body.email);
    return AcceptedDto.of(RESET_REQUESTED);
  }

  @Public()
  @CredentialRoute()
  @Post('reset-password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link',
    description:
      'The token works once. Every session of the account ends (its access tokens are refused at once), ' +
      'and the email counts as verified. A new password the policy refuses leaves the token usable.',
    operationId: 'resetPassword',
  })
  @ApiNoContentResponse({ description: 'The password is set and every session has ended' })
  @ApiProblemResponses('INVALID_RESET_TOKEN')
  resetPassword(@Body() body: ResetPasswordDto, @Client() client: ClientInfo): Promise<void> {
    return this.passwordReset.resetPassword(body.token, body.newPassword, client);
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AcceptedDto } from '../../common/openapi/accepted.dto';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { Client } from '../../common/client-address/client-info.decorator';
import { AuthenticatedUser, CurrentUser } from '../../common/access-control/current-user.decorator';
import { Public } from '../../common/access-control/public.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { VerifyEmailDto } from './dto/verify-email.dto';
import { EmailVerificationService } from './email-verification.service';
import { CredentialRoute } from '../throttling/credential-route.decorator';

const RESEND_ACCEPTED = 'Unless the email is already verified, a new verification link is on its way.';

@ApiTags('auth')
@Controller('auth')
export class EmailVerificationController {
  constructor(private readonly emailVerification: EmailVerificationService) {}

  @Public()
  @CredentialRoute()
  @Post('verify-email')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Verify the account email with the token of the mailed link',
    description: 'The token works once and expires after EMAIL_VERIFICATION_TTL (24 h by default).',
    operationId: 'verifyEmail',
  })
  @ApiNoContentResponse({ description: 'The email is verified' })
  @ApiProblemResponses('INVALID_VERIFICATION_TOKEN')
  verifyEmail(@Body() body: VerifyEmailDto, @Client() client: ClientInfo): Promise<void> {
    return this.emailVerification.verify(body.token, client);
  }

  @CredentialRoute()
  @Post('resend-verification')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail the caller a new verification link',
    description:
      'The new link replaces every earlier one. An account already verified also gets 202, and nothing is sent.',
    operationId: 'resendVerification',
  })
  @ApiAcceptedResponse({
    description: 'Taken: a link is mailed unless the email is already verified',
    type: AcceptedDto,
  })
  async resendVerification(@CurrentUser() user: AuthenticatedUser): Promise<AcceptedDto> {
    await this.emailVerification.resend(user.id);
    return AcceptedDto.of(RESEND_ACCEPTED);
  }
}

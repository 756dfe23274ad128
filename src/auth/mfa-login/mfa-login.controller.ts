import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AllowWithoutSecondFactor } from '../../common/access-control/allow-without-second-factor.decorator';
import { AuthenticatedUser, CurrentUser } from '../../common/access-control/current-user.decorator';
import { Public } from '../../common/access-control/public.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { Client } from '../../common/client-address/client-info.decorator';
import { DomainError } from '../../common/errors/domain.error';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import type { SecondFactorProof } from '../../mfa/mfa.service';
import { TokenPairDto } from '../dto/token-pair.dto';
import { CredentialRoute } from '../throttling/credential-route.decorator';
import { RefreshTokenTransport } from '../transport/refresh-token-transport';
import {
  CodeDto,
  oneFactorOf,
  RecoveryCodeDto,
  SecondFactorDto,
  VerifyMfaDto,
  VerifyWithCodeDto,
  VerifyWithRecoveryCodeDto,
} from './dto/verify-mfa.dto';
import { MfaLoginService } from './mfa-login.service';

@ApiTags('mfa')
@AllowWithoutSecondFactor()
@ApiExtraModels(VerifyWithCodeDto, VerifyWithRecoveryCodeDto, CodeDto, RecoveryCodeDto)
@Controller('auth/mfa')
export class MfaLoginController {
  constructor(
    private readonly mfaLogin: MfaLoginService,
    private readonly refreshTokens: RefreshTokenTransport,
  ) {}

  @Public()
  @CredentialRoute()
  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a login that answered MFA_REQUIRED with a code or a recovery code',
    description:
      'A wrong code answers 401 INVALID_MFA_CODE and the mfaToken stays good until it expires (5 minutes); ' +
      'LOCKOUT_THRESHOLD wrong codes lock the account’s second factor for LOCKOUT_DURATION (429 TOO_MANY_ATTEMPTS).',
    operationId: 'verifyMfa',
  })
  @ApiBody(oneFactorOf(VerifyWithCodeDto, VerifyWithRecoveryCodeDto))
  @ApiOkResponse({ description: 'A new session', type: TokenPairDto })
  @ApiProblemResponses('INVALID_MFA_CODE', 'INVALID_MFA_TOKEN', 'TOO_MANY_ATTEMPTS')
  async verify(
    @Body() body: VerifyMfaDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.refreshTokens.deliver(await this.mfaLogin.verify(body.mfaToken, proofOf(body), client), reply);
  }

  @CredentialRoute()
  @Post('step-up')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Give a second factor on the current session, for the routes that need a recent one',
    description:
      'Answers the session’s next pair, whose access token carries the factor (amr `mfa`, a new auth_time); ' +
      'the refresh token held before is superseded, as by a refresh. Wrong codes count toward the same lockout ' +
      'as a login’s.',
    operationId: 'stepUpMfa',
  })
  @ApiBody(oneFactorOf(CodeDto, RecoveryCodeDto))
  @ApiOkResponse({ description: 'The next pair of the same session', type: TokenPairDto })
  @ApiProblemResponses('INVALID_MFA_CODE', 'TOO_MANY_ATTEMPTS')
  async stepUp(
    @Body() body: SecondFactorDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.refreshTokens.deliver(await this.mfaLogin.stepUp(caller, proofOf(body), client), reply);
  }
}

/** The factor a body carries; both at once is refused rather than guessed at. */
export function proofOf(body: SecondFactorDto): SecondFactorProof {
  if (body.code !== undefined && body.recoveryCode !== undefined) {
    throw new DomainError('VALIDATION_FAILED', 'Send either code or recoveryCode, not both', {
      errors: [{ field: 'recoveryCode', message: 'recoveryCode must be absent when code is given' }],
    });
  }
  return body.code !== undefined ? { code: body.code } : { recoveryCode: body.recoveryCode ?? '' };
}

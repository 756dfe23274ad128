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
  PasskeyFactorDto,
  RecoveryCodeDto,
  SecondFactorDto,
  VerifyMfaDto,
  VerifyWithCodeDto,
  VerifyWithPasskeyDto,
  VerifyWithRecoveryCodeDto,
} from './dto/verify-mfa.dto';
import { MfaLoginService } from './mfa-login.service';

@ApiTags('mfa')
@AllowWithoutSecondFactor()
@ApiExtraModels(
  VerifyWithCodeDto,
  VerifyWithRecoveryCodeDto,
  VerifyWithPasskeyDto,
  CodeDto,
  RecoveryCodeDto,
  PasskeyFactorDto,
)
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
    summary: 'Complete a login that answered MFA_REQUIRED with a code, a recovery code or a passkey',
    description:
      'A wrong code answers 401 INVALID_MFA_CODE and the mfaToken stays good until it expires (5 minutes); ' +
      'LOCKOUT_THRESHOLD wrong codes lock the account’s second factor for LOCKOUT_DURATION (429 TOO_MANY_ATTEMPTS). ' +
      'A refused passkey assertion answers 401 INVALID_PASSKEY; the mfaToken stays good for another.',
    operationId: 'verifyMfa',
  })
  @ApiBody(oneFactorOf(VerifyWithCodeDto, VerifyWithRecoveryCodeDto, VerifyWithPasskeyDto))
  @ApiOkResponse({ description: 'A new session', type: TokenPairDto })
  @ApiProblemResponses('INVALID_MFA_CODE', 'INVALID_MFA_TOKEN', 'INVALID_PASSKEY', 'TOO_MANY_ATTEMPTS')
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
  @ApiBody(oneFactorOf(CodeDto, RecoveryCodeDto, PasskeyFactorDto))
  @ApiOkResponse({ description: 'The next pair of the same session', type: TokenPairDto })
  @ApiProblemResponses('INVALID_MFA_CODE', 'INVALID_PASSKEY', 'TOO_MANY_ATTEMPTS')
  async stepUp(
    @Body() body: SecondFactorDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.refreshTokens.deliver(await this.mfaLogin.stepUp(caller, proofOf(body), client), reply);
  }
}

/** The factor a body carries; more than one at once is refused rather than guessed at. */
export function proofOf(body: SecondFactorDto): SecondFactorProof {
  const given = (['code', 'recoveryCode', 'passkey'] as const).filter((field) => body[field] !== undefined);
  if (given.length > 1) {
    throw new DomainError('VALIDATION_FAILED', 'Send one of code, recoveryCode and passkey', {
      errors: given.slice(1).map((field) => ({ field, message: `${field} must be absent when ${given[0]} is given` })),
    });
  }
  if (body.passkey !== undefined) return { passkey: body.passkey };
  return body.code !== undefined ? { code: body.code } : { recoveryCode: body.recoveryCode ?? '' };
}

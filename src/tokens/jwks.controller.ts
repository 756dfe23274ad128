import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { Public } from '../common/access-control/public.decorator';
import { AccessTokenService } from './access-token.service';
import { JsonWebKeySetDto } from './jwks.dto';

// Consumers may cache the set this long; key rotation waits for it (README, "Signing keys and rotation").
const JWKS_CACHE_CONTROL = 'public, max-age=300';

/** Publishes the access-token public keys at /.well-known/jwks.json, outside the API prefix. */
@Public()
@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly accessTokens: AccessTokenService) {}

  @Get('jwks.json')
  @ApiOperation({
    summary: 'Public keys that verify access tokens (RS256 / EdDSA); 404 when tokens use HS256',
    operationId: 'getJwks',
  })
  @ApiOkResponse({
    type: JsonWebKeySetDto,
    description: `JWK Set (RFC 7517), \`Cache-Control: ${JWKS_CACHE_CONTROL}\``,
  })
  @ApiProblemResponses('NOT_FOUND')
  jwks(@Res({ passthrough: true }) reply: FastifyReply): JsonWebKeySetDto {
    const keySet = JsonWebKeySetDto.from(this.accessTokens.publicJwks());
    // Set only on success: the 404 of an HS256 deployment is not worth caching.
    void reply.header('cache-control', JWKS_CACHE_CONTROL);
    return keySet;
  }
}

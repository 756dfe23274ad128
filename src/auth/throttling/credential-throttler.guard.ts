import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainError } from '../../common/errors/domain.error';
import { IS_CREDENTIAL_ROUTE_KEY } from './credential-route.decorator';

/**
 * The throttler, applied globally but acting only on routes marked @CredentialRoute(). The client
 * is request.ip, decided by TRUST_PROXY (src/common/client-address).
 */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  // The IETF draft's field names (RateLimit-Limit, -Remaining, -Reset) instead of the X- ones.
  protected override headerPrefix = 'RateLimit';

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const isCredentialRoute = this.reflector.getAllAndOverride<boolean | undefined>(IS_CREDENTIAL_ROUTE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return Promise.resolve(!isCredentialRoute);
  }

  protected override throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    throw new DomainError('RATE_LIMITED', 'Too many requests from this address; retry later', {
      retryAfterSeconds: limit.timeToBlockExpire,
      rateLimit: { limit: limit.limit, windowSeconds: Math.round(limit.ttl / 1000) },
    });
  }
}

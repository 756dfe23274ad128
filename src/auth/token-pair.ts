import type { User } from '../generated/prisma/client';
import type { IssuedSession } from '../sessions/session-issuer';
import { UserDto } from '../users/dto/user.dto';
import type { TokenPairDto } from './dto/token-pair.dto';

/** The answer of every route that starts or continues a session. */
export function toTokenPair(user: User, issued: Pick<IssuedSession, 'accessToken' | 'refreshToken'>): TokenPairDto {
  return {
    accessToken: issued.accessToken.token,
    refreshToken: issued.refreshToken,
    tokenType: 'Bearer',
    expiresIn: issued.accessToken.expiresIn,
    user: UserDto.from(user),
  };
}

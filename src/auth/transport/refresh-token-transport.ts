import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../../common/http/http-constants';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { TokenPairDto } from '../dto/token-pair.dto';

export const REFRESH_COOKIE = 'refresh_token';
export const REFRESH_COOKIE_PATH = `/${API_PREFIX}/auth`;
export const CSRF_HEADER = 'x-requested-with';

/**
 * Carries refresh tokens between client and server as REFRESH_TRANSPORT says: in the JSON body, in
 * an HttpOnly cookie that page scripts cannot read, or both. A cookie is sent by the browser on its
 * own, so a request authenticated by it must prove it was made by the page (CSRF defence): a custom
 * header no cross-site form can set, or an Origin from CORS_ORIGINS.
 */
@Injectable()
export class RefreshTokenTransport {
  private readonly usesCookie: boolean;
  private readonly usesBody: boolean;

  constructor(private readonly config: AppConfig) {
    this.usesCookie = config.session.refreshTransport !== 'body';
    this.usesBody = config.session.refreshTransport !== 'cookie';
  }

  /**
   * Marks the answer uncacheable, sets the cookie when configured, and leaves the token out of the
   * body when only the cookie carries it.
   */
  deliver(pair: TokenPairDto, reply: FastifyReply): TokenPairDto {
    // Credentials in a response are never cached, by the browser or anything between (RFC 6749 5.1).
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (this.usesCookie) {
      reply.setCookie(REFRESH_COOKIE, pair.refreshToken ?? '', {
        httpOnly: true,
        secure: this.config.nodeEnv !== 'development',
        sameSite: 'strict',
        path: REFRESH_COOKIE_PATH,
        maxAge: this.config.session.idleTtlSeconds,
      });
    }
    if (this.usesBody) return pair;
    const { refreshToken: _inCookie, ...withoutToken } = pair;
    return withoutToken;
  }

  /** The refresh token the client presented: the body's, or else the cookie's once the request proves its origin. */
  receive(request: FastifyRequest, fromBody: string | undefined): string {
    if (fromBody !== undefined) return fromBody;
    const fromCookie = this.usesCookie ? request.cookies[REFRESH_COOKIE] : undefined;
    if (fromCookie) {
      this.assertSentByThePage(request);
      return fromCookie;
    }
    throw new DomainError('VALIDATION_FAILED', 'The request is not valid', {
      errors: [
        {
          field: 'refreshToken',
          message: this.usesCookie
            ? 'refreshToken is required, in the body or the refresh_token cookie'
            : 'refreshToken is required',
        },
      ],
    });
  }

  clear(reply: FastifyReply): void {
    if (this.usesCookie) reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
  }

  private assertSentByThePage(request: FastifyRequest): void {
    if (request.headers[CSRF_HEADER]) return;
    const origin = request.headers.origin;
    if (origin && this.config.http.corsOrigins.includes(origin)) return;
    throw new DomainError(
      'FORBIDDEN',
      `A request carrying the refresh cookie needs the ${CSRF_HEADER} header or an allowed Origin`,
    );
  }
}

import { Injectable } from '@nestjs/common';
import type { ActionTokenPurpose } from '../../generated/prisma/client';
import type { Transaction } from '../../prisma/transaction';
// Same shape as refresh tokens: 256 random bits, stored only as their SHA-256.
import { hashRefreshToken as hashToken, newRefreshToken as newToken } from '../../sessions/refresh-token';
import { ActionTokenHolder, ActionTokensRepository } from './action-tokens.repository';

export type { ActionTokenHolder } from './action-tokens.repository';

/** One-time tokens mailed to users (password reset, email verification): issue and consume. */
@Injectable()
export class ActionTokensService {
  constructor(private readonly tokens: ActionTokensRepository) {}

  /** A new token of `purpose` for the user; every earlier token of that purpose stops working. */
  async issue(
    transaction: Transaction,
    user: { readonly id: string; readonly securityVersion: number },
    purpose: ActionTokenPurpose,
    ttlSeconds: number,
  ): Promise<string> {
    const token = newToken();
    await this.tokens.replace(transaction, {
      userId: user.id,
      userSecurityVersion: user.securityVersion,
      purpose,
      tokenHash: token.hash,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return token.token;
  }

  /**
   * Marks the token used and returns its holder, or undefined when it is unknown, of another
   * purpose, used or expired. One conditional update: of concurrent uses exactly one gets the holder.
   */
  consume(
    transaction: Transaction,
    token: string,
    purpose: ActionTokenPurpose,
  ): Promise<ActionTokenHolder | undefined> {
    return this.tokens.consume(transaction, hashToken(token), purpose, new Date());
  }

  /** The holder of a still-usable token, without using it up (to check a new password first). */
  peek(token: string, purpose: ActionTokenPurpose): Promise<ActionTokenHolder | undefined> {
    return this.tokens.findUsable(hashToken(token), purpose, new Date());
  }
}

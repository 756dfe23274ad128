import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../prisma/prisma.service';

/** What one exchange writes: the presented token consumed, its successor stored, the session extended. */
export interface Rotation {
  readonly presentedTokenId: string;
  readonly successorHash: Uint8Array<ArrayBuffer>;
  readonly successorGeneration: number;
  /** With the reuse grace on: the issued pair, sealed for holders of the presented token. */
  readonly successorSealed: Uint8Array<ArrayBuffer> | null;
  readonly at: Date;
  readonly idleExpiresAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/**
 * The write of a refresh, the hottest path of the service, as one SQL statement: atomic without a
 * transaction, and one round trip where an interactive transaction took five (BEGIN, three writes,
 * COMMIT).
 */
@Injectable()
export class RefreshRotationStore {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Consumes the presented token if it is still unused and its session not revoked, and only then
   * inserts the successor and moves the session's idle expiry. The update's row lock makes a
   * concurrent exchange of the same token wait, then find it consumed: false.
   */
  async apply(rotation: Rotation): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ consumed: number }[]>`
      WITH consumed AS (
        UPDATE refresh_tokens AS token
        SET rotated_at = ${rotation.at}, successor_sealed = ${rotation.successorSealed}
        FROM sessions AS session
        WHERE token.id = ${rotation.presentedTokenId}::uuid
          AND token.rotated_at IS NULL
          AND session.id = token.session_id
          AND session.revoked_at IS NULL
        RETURNING token.session_id
      ), successor AS (
        INSERT INTO refresh_tokens (id, session_id, token_hash, generation, created_at)
        SELECT ${randomUUID()}::uuid, consumed.session_id, ${rotation.successorHash}, ${rotation.successorGeneration}, ${rotation.at}
        FROM consumed
      ), extended AS (
        UPDATE sessions
        SET last_used_at = ${rotation.at}, idle_expires_at = ${rotation.idleExpiresAt},
            user_agent = ${rotation.userAgent}, ip = ${rotation.ip}
        FROM consumed
        WHERE sessions.id = consumed.session_id
      )
      SELECT count(*)::int AS consumed FROM consumed`;
    return rows[0]?.consumed === 1;
  }
}

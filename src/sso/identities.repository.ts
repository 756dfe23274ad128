import { Injectable } from '@nestjs/common';
import type { Identity } from '../generated/prisma/client';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

export interface NewIdentity {
  readonly provider: string;
  readonly subject: string;
  readonly userId: string;
  readonly email: string | null;
  readonly at: Date;
}

/** The identities table: which provider account signs in which user. */
@Injectable()
export class IdentitiesRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(provider: string, subject: string, transaction?: Transaction): Promise<Identity | null> {
    const client = transaction ? clientOf(transaction) : this.prisma;
    return client.identity.findUnique({ where: { provider_subject: { provider, subject } } });
  }

  listForUser(userId: string): Promise<Identity[]> {
    return this.prisma.identity.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  countForUser(transaction: Transaction, userId: string): Promise<number> {
    return clientOf(transaction).identity.count({ where: { userId } });
  }

  /** Links the provider account to the user; undefined when it is linked already (to anyone). */
  async insert(transaction: Transaction, identity: NewIdentity): Promise<Identity | undefined> {
    const [inserted] = await clientOf(transaction).$queryRaw<{ id: string }[]>`
      INSERT INTO identities (id, provider, subject, user_id, email, created_at, last_used_at)
      VALUES (gen_random_uuid(), ${identity.provider}, ${identity.subject}, ${identity.userId}::uuid,
              ${identity.email}, ${identity.at}, ${identity.at})
      ON CONFLICT DO NOTHING
      RETURNING id`;
    if (!inserted) return undefined;
    return (await clientOf(transaction).identity.findUnique({ where: { id: inserted.id } })) ?? undefined;
  }

  /** Records a sign-in through the identity, only while it still belongs to `userId`. */
  async touch(transaction: Transaction, id: string, userId: string, at: Date): Promise<boolean> {
    const { count } = await clientOf(transaction).identity.updateMany({
      where: { id, userId },
      data: { lastUsedAt: at },
    });
    return count === 1;
  }

  async delete(
    transaction: Transaction,
    userId: string,
    id: string,
  ): Promise<Pick<Identity, 'id' | 'provider'> | undefined> {
    const [deleted] = await clientOf(transaction).$queryRaw<Pick<Identity, 'id' | 'provider'>[]>`
      DELETE FROM identities WHERE id = ${id}::uuid AND user_id = ${userId}::uuid RETURNING id, provider`;
    return deleted;
  }
}

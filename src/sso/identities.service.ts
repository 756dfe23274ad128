import { Injectable } from '@nestjs/common';
import type { Identity } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { IdentitiesRepository, NewIdentity } from './identities.repository';

/** Which provider accounts sign in which user: found, linked, used and removed in the caller's transaction. */
@Injectable()
export class IdentitiesService {
  constructor(private readonly identities: IdentitiesRepository) {}

  list(userId: string): Promise<Identity[]> {
    return this.identities.listForUser(userId);
  }

  find(transaction: Transaction, provider: string, subject: string): Promise<Identity | null> {
    return this.identities.find(provider, subject, transaction);
  }

  count(transaction: Transaction, userId: string): Promise<number> {
    return this.identities.countForUser(transaction, userId);
  }

  /** Undefined when the provider account is linked already (to anyone): one provider account, one user. */
  link(transaction: Transaction, identity: NewIdentity): Promise<Identity | undefined> {
    return this.identities.insert(transaction, identity);
  }

  touch(transaction: Transaction, identity: Identity, at: Date): Promise<boolean> {
    return this.identities.touch(transaction, identity.id, identity.userId, at);
  }

  unlink(transaction: Transaction, userId: string, id: string): Promise<Pick<Identity, 'id' | 'provider'> | undefined> {
    return this.identities.delete(transaction, userId, id);
  }
}

import { Injectable } from '@nestjs/common';
import { AuditOrigin, AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain.error';
import type { Page } from '../common/pagination/page.dto';
import type { Role, User, UserStatus } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { SessionsService } from '../sessions/sessions.service';
import { NewUser, ProvisionedUser, UserSearch, UsersRepository } from './users.repository';

export type { NewUser, UserSearch } from './users.repository';

/** Who is acting on an account, as the access token and the request tell. */
export interface Actor {
  readonly id: string;
  readonly role: Role;
  readonly origin: AuditOrigin;
}

export interface UserChanges {
  readonly name?: string | null;
  readonly role?: Role;
  readonly status?: UserStatus;
}

/** Accounts: creating them, their passwords' writes, and what owners and admins may change. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly transactions: Transactions,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  create(transaction: Transaction, user: NewUser): Promise<User> {
    return this.users.insert(transaction, user);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /**
   * Replaces a hash made at another bcrypt cost, only while it is still the one that was verified: a
   * login that rehashes never writes over a password changed or reset meanwhile. True when written.
   */
  replaceVerifiedHash(id: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    return this.users.replaceHashIfUnchanged(id, verifiedHash, passwordHash);
  }

  /**
   * Sets a new password chosen with the current one, only while the account is active at the
   * securityVersion read with the hash the current password was verified against (a rehash keeps
   * the version: same password). Moves the version on, which ends outstanding reset links and logins
   * in flight. False when the account changed meanwhile.
   */
  changePassword(
    transaction: Transaction,
    id: string,
    verifiedAtVersion: number,
    passwordHash: string,
  ): Promise<boolean> {
    return this.users.setPasswordAtVersion(transaction, id, verifiedAtVersion, passwordHash);
  }

  /**
   * Sets a password chosen through a mailed reset link, only while the account is active at the
   * securityVersion the link was issued on. Following that link proves the address too, so an
   * unverified email becomes verified (as Keycloak and Supabase do). False when the account changed
   * since the link was issued.
   */
  async resetPassword(
    transaction: Transaction,
    id: string,
    issuedAtVersion: number,
    passwordHash: string,
  ): Promise<boolean> {
    const set = await this.users.setPasswordAtVersion(transaction, id, issuedAtVersion, passwordHash);
    if (set) await this.users.markEmailVerified(transaction, id, new Date());
    return set;
  }

  /** Records that the user proved the address; the first proof's time is kept. */
  markEmailVerified(transaction: Transaction, id: string): Promise<void> {
    return this.users.markEmailVerified(transaction, id, new Date());
  }

  /**
   * Ends what the account's old authentication granted without a new one: logins whose password was
   * checked before (their session grant is refused) and reset links issued before.
   */
  changedAuthentication(transaction: Transaction, id: string): Promise<void> {
    return this.users.bumpSecurityVersion(transaction, id);
  }

  list(search: UserSearch): Promise<Page<User>> {
    return this.users.page(search);
  }

  /** An account as its owner or an admin may see it. */
  async getFor(actor: Actor, id: string): Promise<User> {
    if (actor.role !== 'ADMIN' && actor.id !== id) {
      throw new DomainError('FORBIDDEN', 'Only an admin may read another user');
    }
    const user = await this.users.findById(id);
    if (!user) throw new DomainError('NOT_FOUND', 'No user with this id');
    return user;
  }

  /**
   * Owners change their name; admins also role and status. A role change or a disabling ends the
   * user's sessions in the same transaction, so their access tokens stop working at once.
   */
  async update(actor: Actor, id: string, changes: UserChanges): Promise<User> {
    const isAdmin = actor.role === 'ADMIN';
    if (!isAdmin && actor.id !== id) throw new DomainError('FORBIDDEN', 'Only an admin may change another user');
    if (!isAdmin && (changes.role !== undefined || changes.status !== undefined)) {
      throw new DomainError('FORBIDDEN', 'Only an admin may change a role or a status');
    }
    return this.transactions.run(async (transaction) => {
      const touchesAdmins = changes.role !== undefined || changes.status !== undefined;
      if (touchesAdmins) await this.users.lockActiveAdmins(transaction);
      const user = await this.findForChange(transaction, id);
      const role = changes.role ?? user.role;
      const status = changes.status ?? user.status;
      if (isActiveAdmin(user) && !(role === 'ADMIN' && status === 'ACTIVE')) {
        await this.assertAnotherActiveAdmin(transaction, id, 'demote or disable');
      }

      const updated = await this.users.update(transaction, id, {
        name: changes.name,
        role: changes.role,
        status: changes.status,
        securityChanged: role !== user.role || status !== user.status,
      });
      const record = (type: 'ROLE_CHANGED' | 'STATUS_CHANGED', from: string, to: string) =>
        this.audit.record(transaction, {
          type,
          actorId: actor.id,
          subjectId: id,
          email: user.email,
          origin: actor.origin,
          details: { from, to },
        });
      if (role !== user.role) {
        await this.sessions.revokeAllForUser(transaction, id, 'ROLE_CHANGED');
        await record('ROLE_CHANGED', user.role, role);
      }
      if (status !== user.status) {
        if (status === 'DISABLED') await this.sessions.revokeAllForUser(transaction, id, 'USER_DISABLED');
        await record('STATUS_CHANGED', user.status, status);
      }
      return updated;
    });
  }

  /** Deletes an account with its sessions; their access tokens are refused at once. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.users.lockActiveAdmins(transaction);
      const user = await this.findForChange(transaction, id);
      if (isActiveAdmin(user)) await this.assertAnotherActiveAdmin(transaction, id, 'delete');
      await this.sessions.revokeAllForUser(transaction, id, 'REVOKED_BY_ADMIN');
      await this.audit.record(transaction, {
        type: 'USER_DELETED',
        actorId: actor.id,
        subjectId: id,
        email: user.email,
        origin: actor.origin,
      });
      await this.users.delete(transaction, id);
    });
  }

  /**
   * Creates the user unless one already has the email; an existing user is never changed and
   * concurrent callers never fail. True when this call created it; the creation is in the audit
   * trail, written in the same transaction.
   */
  createIfAbsent(user: ProvisionedUser): Promise<boolean> {
    return this.transactions.run(async (transaction) => {
      const created = await this.users.insertIfAbsent(transaction, user);
      if (!created) return false;
      await this.audit.record(transaction, {
        type: 'USER_CREATED',
        subjectId: created.id,
        email: created.email,
        details: { role: created.role },
      });
      return true;
    });
  }

  private async findForChange(transaction: Transaction, id: string): Promise<User> {
    const user = await this.users.findInTransaction(transaction, id);
    if (!user) throw new DomainError('NOT_FOUND', 'No user with this id');
    return user;
  }

  private async assertAnotherActiveAdmin(transaction: Transaction, id: string, action: string): Promise<void> {
    if ((await this.users.countOtherActiveAdmins(transaction, id)) === 0) {
      throw new DomainError('LAST_ADMIN', `Cannot ${action} the last active admin; make another user an admin first`);
    }
  }
}

function isActiveAdmin(user: User): boolean {
  return user.role === 'ADMIN' && user.status === 'ACTIVE';
}

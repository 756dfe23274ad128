import { Injectable } from '@nestjs/common';
import { AuditOrigin, AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions/sessions.service';
import { DomainError } from '../common/errors/domain.error';
import { Page, pageWindow } from '../common/pagination/page.dto';
import { Prisma, Role, User, UserStatus } from '../generated/prisma/client';
import { PrismaService, Transaction } from '../prisma/prisma.service';

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly name?: string | null;
}

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

export interface UserSearch {
  /** Part of the email or name, case-insensitive. */
  readonly q?: string;
  readonly page: number;
  readonly limit: number;
}

// Serialises every change that could leave no active admin, across instances.
const ACTIVE_ADMINS_LOCK = 0x61_64_6d_69_6e; // "admin"

/** The users table: every read and write of accounts goes through here. */
@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  async create(user: NewUser, transaction: Prisma.TransactionClient = this.prisma): Promise<User> {
    try {
      return await transaction.user.create({
        data: { email: user.email, passwordHash: user.passwordHash, name: user.name ?? null },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
      }
      throw error;
    }
  }

  findByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  /**
   * Replaces a hash made at another bcrypt cost, only while it is still the one that was verified: a
   * login that rehashes never writes over a password changed or reset meanwhile. True when written.
   */
  async replaceVerifiedHash(id: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, passwordHash: verifiedHash },
      data: { passwordHash },
    });
    return count === 1;
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
    return this.setPasswordAtVersion(transaction, id, verifiedAtVersion, passwordHash);
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
    const set = await this.setPasswordAtVersion(transaction, id, issuedAtVersion, passwordHash);
    if (set) await this.markEmailVerified(transaction.client, id);
    return set;
  }

  /** The password write both flows share: only on an active account still at `version`, which it moves on. */
  private async setPasswordAtVersion(
    transaction: Transaction,
    id: string,
    version: number,
    passwordHash: string,
  ): Promise<boolean> {
    const { count } = await transaction.client.user.updateMany({
      where: { id, status: 'ACTIVE', securityVersion: version },
      data: { passwordHash, securityVersion: { increment: 1 } },
    });
    return count === 1;
  }

  /** Records that the user proved the address; the first proof's time is kept. */
  async markEmailVerified(transaction: Prisma.TransactionClient, id: string): Promise<void> {
    await transaction.user.updateMany({ where: { id, emailVerifiedAt: null }, data: { emailVerifiedAt: new Date() } });
  }

  /** Oldest first, with the id breaking ties, so pages are stable while users sign up. */
  async list(search: UserSearch): Promise<Page<User>> {
    const where: Prisma.UserWhereInput = search.q
      ? {
          OR: [
            { email: { contains: search.q, mode: 'insensitive' } },
            { name: { contains: search.q, mode: 'insensitive' } },
          ],
        }
      : {};
    const [items, total] = await this.prisma.$transaction([
      this.prisma.user.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        ...pageWindow(search),
      }),
      this.prisma.user.count({ where }),
    ]);
    return { items, total, page: search.page, limit: search.limit };
  }

  /** An account as its owner or an admin may see it. */
  async getFor(actor: Actor, id: string): Promise<User> {
    if (actor.role !== 'ADMIN' && actor.id !== id) {
      throw new DomainError('FORBIDDEN', 'Only an admin may read another user');
    }
    const user = await this.findById(id);
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
    return this.prisma.transaction(async (transaction) => {
      const touchesAdmins = changes.role !== undefined || changes.status !== undefined;
      if (touchesAdmins) await this.lockActiveAdmins(transaction);
      const user = await this.findForChange(transaction, id);
      const role = changes.role ?? user.role;
      const status = changes.status ?? user.status;
      if (isActiveAdmin(user) && !(role === 'ADMIN' && status === 'ACTIVE')) {
        await this.assertAnotherActiveAdmin(transaction, id, 'demote or disable');
      }

      const securityChanged = role !== user.role || status !== user.status;
      const updated = await transaction.client.user.update({
        where: { id },
        data: {
          name: changes.name,
          role: changes.role,
          status: changes.status,
          // Ends logins in flight and reset links issued before, with the sessions below.
          ...(securityChanged ? { securityVersion: { increment: 1 } } : {}),
        },
      });
      const record = (type: 'ROLE_CHANGED' | 'STATUS_CHANGED', from: string, to: string) =>
        this.audit.record(
          { type, actorId: actor.id, subjectId: id, email: user.email, origin: actor.origin, details: { from, to } },
          transaction.client,
        );
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
    await this.prisma.transaction(async (transaction) => {
      await this.lockActiveAdmins(transaction);
      const user = await this.findForChange(transaction, id);
      if (isActiveAdmin(user)) await this.assertAnotherActiveAdmin(transaction, id, 'delete');
      await this.sessions.revokeAllForUser(transaction, id, 'REVOKED_BY_ADMIN');
      await this.audit.record(
        { type: 'USER_DELETED', actorId: actor.id, subjectId: id, email: user.email, origin: actor.origin },
        transaction.client,
      );
      await transaction.client.user.delete({ where: { id } });
    });
  }

  private async findForChange(transaction: Transaction, id: string): Promise<User> {
    const user = await transaction.client.user.findUnique({ where: { id } });
    if (!user) throw new DomainError('NOT_FOUND', 'No user with this id');
    return user;
  }

  /**
   * Inserts the user unless one already has the email: `INSERT ... ON CONFLICT DO NOTHING`, so an
   * existing user is never changed and concurrent callers never fail. True when this call created
   * it; the creation is in the audit trail, written in the same transaction.
   */
  async createIfAbsent(
    user: NewUser & { readonly role: Role; readonly emailVerifiedAt: Date | null },
  ): Promise<boolean> {
    return this.prisma.$transaction(async (transaction) => {
      const [created] = await transaction.user.createManyAndReturn({
        data: [
          {
            email: user.email,
            passwordHash: user.passwordHash,
            name: user.name ?? null,
            role: user.role,
            emailVerifiedAt: user.emailVerifiedAt,
          },
        ],
        skipDuplicates: true,
        select: { id: true, email: true, role: true },
      });
      if (!created) return false;
      await this.audit.record(
        { type: 'USER_CREATED', subjectId: created.id, email: created.email, details: { role: created.role } },
        transaction,
      );
      return true;
    });
  }

  private async lockActiveAdmins(transaction: Transaction): Promise<void> {
    await transaction.client.$executeRaw`SELECT pg_advisory_xact_lock(${ACTIVE_ADMINS_LOCK}::bigint)`;
  }

  private async assertAnotherActiveAdmin(transaction: Transaction, id: string, action: string): Promise<void> {
    const others = await transaction.client.user.count({
      where: { role: 'ADMIN', status: 'ACTIVE', id: { not: id } },
    });
    if (others === 0) {
      throw new DomainError('LAST_ADMIN', `Cannot ${action} the last active admin; make another user an admin first`);
    }
  }
}

function isActiveAdmin(user: User): boolean {
  return user.role === 'ADMIN' && user.status === 'ACTIVE';
}

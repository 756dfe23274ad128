import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';
import type { Page } from '../common/pagination/page.dto';
import { pageWindow } from '../common/pagination/page.dto';
import { Prisma } from '../generated/prisma/client';
import type { Role, User, UserStatus } from '../generated/prisma/client';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

export interface NewUser {
  readonly email: string;
  /** Null for an account made by single sign-on: it signs in through its provider until it sets one. */
  readonly passwordHash: string | null;
  readonly name?: string | null;
  /** Set when the address is known to be the user's already (a provider asserted it). */
  readonly emailVerifiedAt?: Date | null;
}

export interface ProvisionedUser extends NewUser {
  readonly role: Role;
  readonly emailVerifiedAt: Date | null;
}

export interface UserSearch {
  /** Part of the email or name, case-insensitive. */
  readonly q?: string;
  readonly page: number;
  readonly limit: number;
}

export interface UserUpdate {
  readonly name?: string | null;
  readonly role?: Role;
  readonly status?: UserStatus;
  /** Moves securityVersion on: ends logins in flight and reset links issued before. */
  readonly securityChanged: boolean;
}

// Serialises every change that could leave no active admin, across instances.
const ACTIVE_ADMINS_LOCK = 0x61_64_6d_69_6e; // "admin"

/** The users table: every read and write of accounts goes through here. */
@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(transaction: Transaction, user: NewUser): Promise<User> {
    try {
      return await clientOf(transaction).user.create({
        data: {
          email: user.email,
          passwordHash: user.passwordHash,
          name: user.name ?? null,
          emailVerifiedAt: user.emailVerifiedAt ?? null,
        },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
      }
      throw error;
    }
  }

  /**
   * `INSERT ... ON CONFLICT DO NOTHING`: an existing user with the email is never changed and
   * concurrent callers never fail. The created user, or undefined when one had the email.
   */
  async insertIfAbsent(
    transaction: Transaction,
    user: ProvisionedUser,
  ): Promise<Pick<User, 'id' | 'email' | 'role'> | undefined> {
    const [created] = await clientOf(transaction).user.createManyAndReturn({
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
    return created;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  /**
   * The read behind GET /auth/me and every one-read route on the caller. Raw: through Prisma's query
   * compiler it cost this route half its throughput (npm run bench, me); the columns are the model's.
   */
  async findById(id: string): Promise<User | null> {
    const [user] = await this.prisma.$queryRaw<User[]>`
      SELECT id, email, password_hash AS "passwordHash", name, role::text AS role, status::text AS status,
             email_verified_at AS "emailVerifiedAt", security_version AS "securityVersion",
             created_at AS "createdAt", updated_at AS "updatedAt"
      FROM users WHERE id = ${id}::uuid`;
    return user ?? null;
  }

  /** The user as the transaction about to change it sees it. */
  findInTransaction(transaction: Transaction, id: string): Promise<User | null> {
    return clientOf(transaction).user.findUnique({ where: { id } });
  }

  /**
   * Replaces the hash only while it is still `verifiedHash`: one statement, atomic on its own, so a
   * rehash never writes over a password changed meanwhile. True when written.
   */
  async replaceHashIfUnchanged(id: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, passwordHash: verifiedHash },
      data: { passwordHash },
    });
    return count === 1;
  }

  /** Sets the hash only on an active account still at `version`, and moves the version on. True when written. */
  async setPasswordAtVersion(
    transaction: Transaction,
    id: string,
    version: number,
    passwordHash: string,
  ): Promise<boolean> {
    const { count } = await clientOf(transaction).user.updateMany({
      where: { id, status: 'ACTIVE', securityVersion: version },
      data: { passwordHash, securityVersion: { increment: 1 } },
    });
    return count === 1;
  }

  /** Records that the user proved the address; the first proof's time is kept. */
  async markEmailVerified(transaction: Transaction, id: string, at: Date): Promise<void> {
    await clientOf(transaction).user.updateMany({
      where: { id, emailVerifiedAt: null },
      data: { emailVerifiedAt: at },
    });
  }

  update(transaction: Transaction, id: string, update: UserUpdate): Promise<User> {
    return clientOf(transaction).user.update({
      where: { id },
      data: {
        name: update.name,
        role: update.role,
        status: update.status,
        ...(update.securityChanged ? { securityVersion: { increment: 1 } } : {}),
      },
    });
  }

  /** Moves securityVersion on: logins in flight and reset links issued before stop working. */
  async bumpSecurityVersion(transaction: Transaction, id: string): Promise<void> {
    await clientOf(transaction).user.update({ where: { id }, data: { securityVersion: { increment: 1 } } });
  }

  async delete(transaction: Transaction, id: string): Promise<void> {
    await clientOf(transaction).user.delete({ where: { id } });
  }

  /** Oldest first, with the id breaking ties, so pages are stable while users sign up. */
  async page(search: UserSearch): Promise<Page<User>> {
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

  /**
   * Serialises, until the transaction ends, every change that could leave no active admin: with it
   * held, a count of the other active admins stays true until the change commits.
   */
  async lockActiveAdmins(transaction: Transaction): Promise<void> {
    await clientOf(transaction).$executeRaw`SELECT pg_advisory_xact_lock(${ACTIVE_ADMINS_LOCK}::bigint)`;
  }

  countOtherActiveAdmins(transaction: Transaction, id: string): Promise<number> {
    return clientOf(transaction).user.count({ where: { role: 'ADMIN', status: 'ACTIVE', id: { not: id } } });
  }
}

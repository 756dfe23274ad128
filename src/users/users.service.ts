import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';
import { Prisma, User } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import { PrismaService } from '../prisma/prisma.service';

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly name?: string | null;
}

/** The users table: every read and write of accounts goes through here. */
@Injectable()
export class UsersService {
  constructor(private readonly prisma: PrismaService) {}

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

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.prisma.user.update({ where: { id }, data: { passwordHash } });
  }

  /**
   * Inserts the user unless one already has the email: `INSERT ... ON CONFLICT DO NOTHING`, so an
   * existing user is never changed and concurrent callers never fail. True when this call created it.
   */
  async createIfAbsent(
    user: NewUser & { readonly role: Role; readonly emailVerifiedAt: Date | null },
  ): Promise<boolean> {
    const { count } = await this.prisma.user.createMany({
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
    });
    return count === 1;
  }
}

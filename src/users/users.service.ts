import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';
import { Prisma, User } from '../generated/prisma/client';
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
}

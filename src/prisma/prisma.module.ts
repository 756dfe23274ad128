import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service';
import { Transactions } from './transactions';

/** The database client for repositories, and Transactions, the one way services group writes. */
@Global()
@Module({ providers: [PrismaService, Transactions], exports: [PrismaService, Transactions] })
export class PrismaModule {}

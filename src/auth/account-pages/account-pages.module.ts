import { Module } from '@nestjs/common';
import { AccountPagesController } from './account-pages.controller';

/** Mounted by AppModule when ACCOUNT_PAGES_ENABLED is on (the default). */
@Module({ controllers: [AccountPagesController] })
export class AccountPagesModule {}

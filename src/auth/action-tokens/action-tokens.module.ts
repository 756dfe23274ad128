import { Module } from '@nestjs/common';
import { ActionTokensPurgeService } from './action-tokens-purge.service';
import { ActionTokensRepository } from './action-tokens.repository';
import { ActionTokensService } from './action-tokens.service';

/** The action_tokens table: one-time tokens for password reset and email verification, and their purge. */
@Module({
  providers: [ActionTokensService, ActionTokensRepository, ActionTokensPurgeService],
  exports: [ActionTokensService],
})
export class ActionTokensModule {}

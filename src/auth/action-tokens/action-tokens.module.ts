import { Module } from '@nestjs/common';
import { ActionTokensService } from './action-tokens.service';

/** The action_tokens table: one-time tokens for password reset and email verification. */
@Module({ providers: [ActionTokensService], exports: [ActionTokensService] })
export class ActionTokensModule {}

import { Module } from '@nestjs/common';
import { AccessTokenService } from './access-token.service';
import { JwksController } from './jwks.controller';

@Module({ controllers: [JwksController], providers: [AccessTokenService], exports: [AccessTokenService] })
export class TokensModule {}

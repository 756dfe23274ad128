import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../../common/access-control/public.decorator';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { AccountPage, ASSETS_PATH, PAGE_SECURITY_HEADERS, renderAccountPage } from './account-page';

const ASSET_TYPES: Readonly<Record<string, string>> = {
  'account-pages.js': 'text/javascript; charset=utf-8',
  'account-pages.css': 'text/css; charset=utf-8',
};

/**
 * The pages the mailed reset and verification links open (PUBLIC_URL/reset-password?token=…), for
 * teams without a web app of their own; ACCOUNT_PAGES_ENABLED=false leaves them to that app. HTML,
 * outside the API prefix and the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@Controller()
export class AccountPagesController {
  private readonly pages: Readonly<Record<AccountPage, string>>;
  private readonly assets: ReadonlyMap<string, Buffer>;

  constructor(config: AppConfig) {
    const minLength = config.password.minLength;
    this.pages = {
      'reset-password': renderAccountPage('reset-password', minLength),
      'verify-email': renderAccountPage('verify-email', minLength),
    };
    this.assets = new Map(
      Object.keys(ASSET_TYPES).map((name) => [name, readFileSync(join(__dirname, 'assets', name))]),
    );
  }

  @Get('reset-password')
  resetPassword(@Res({ passthrough: true }) reply: FastifyReply): string {
    return this.page(reply, 'reset-password');
  }

  @Get('verify-email')
  verifyEmail(@Res({ passthrough: true }) reply: FastifyReply): string {
    return this.page(reply, 'verify-email');
  }

  @Get(`${ASSETS_PATH}/:name`)
  @Header('cache-control', 'no-cache')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const asset = this.assets.get(name);
    if (!asset) throw new DomainError('NOT_FOUND', 'No such page asset');
    reply.type(ASSET_TYPES[name]);
    return asset;
  }

  private page(reply: FastifyReply, page: AccountPage): string {
    reply.headers(PAGE_SECURITY_HEADERS).type('text/html; charset=utf-8');
    return this.pages[page];
  }
}

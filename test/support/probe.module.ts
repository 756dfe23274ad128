import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsEmail, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { AuthenticatedUser, CurrentUser } from '../../src/common/access-control/current-user.decorator';
import { Public } from '../../src/common/access-control/public.decorator';
import { Roles } from '../../src/common/access-control/roles.decorator';
import { DomainError } from '../../src/common/errors/domain.error';

class AddressDto {
  @IsString()
  city!: string;
}

class ProbeDto {
  @IsEmail()
  email!: string;

  @IsInt()
  @Min(0)
  @Max(150)
  age!: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
}

/** Routes that exist only in tests, to drive the global pipe and filter through real HTTP. */
@Public()
@Controller('probe')
class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret internals: password=hunter2 at /srv/app.ts:42 SELECT * FROM users');
  }

  @Get('rate-limited')
  rateLimited(): never {
    throw new DomainError('RATE_LIMITED', 'Too many requests', { retryAfterSeconds: 42 });
  }
}

/** No decorator: protected by the global guard, as every route a team adds. */
@Controller('probe/guarded')
class GuardedProbeController {
  @Get('whoami')
  whoami(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }

  @Roles('ADMIN')
  @Get('admin')
  admin(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController, GuardedProbeController] })
export class ProbeModule {}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ACCESS_TTL_SECONDS, MIN_ACCESS_TTL_SECONDS } from '../../config/app-config';
import { UserDto } from '../../users/dto/user.dto';
import { REFRESH_TOKEN_LENGTH } from '../../sessions/refresh-token';

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (typ at+jwt) to send as `Authorization: Bearer`' })
  accessToken!: string;

  @ApiPropertyOptional({
    minLength: REFRESH_TOKEN_LENGTH,
    maxLength: REFRESH_TOKEN_LENGTH,
    description:
      'Opaque, single use: exchange it at /auth/refresh for the next pair. Absent with REFRESH_TRANSPORT=cookie, ' +
      'where it travels only in the HttpOnly refresh_token cookie.',
  })
  refreshToken?: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: MIN_ACCESS_TTL_SECONDS,
    maximum: MAX_ACCESS_TTL_SECONDS,
    description: 'Access-token lifetime in seconds (JWT_ACCESS_TTL)',
    example: 900,
  })
  expiresIn!: number;

  @ApiProperty({ type: UserDto })
  user!: UserDto;
}

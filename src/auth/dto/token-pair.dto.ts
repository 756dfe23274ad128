import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (typ at+jwt) to send as `Authorization: Bearer`' })
  accessToken!: string;

  @ApiPropertyOptional({
    description:
      'Opaque, single use: exchange it at /auth/refresh for the next pair. Absent with REFRESH_TRANSPORT=cookie, ' +
      'where it travels only in the HttpOnly refresh_token cookie.',
  })
  refreshToken?: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Access-token lifetime in seconds', example: 900 })
  expiresIn!: number;

  @ApiProperty({ type: UserDto })
  user!: UserDto;
}
